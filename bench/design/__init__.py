"""Design engine benchmark: seconds per trend for 36 meshed, previewed variants; learning replay."""
