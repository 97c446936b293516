"""What the API, the activities and the shell do alike: take in ideas and trend signals, import
suppliers, start a pipeline. Each function is given its database engine or Temporal client; none
imports a workflow, an activity or the API."""
