// TrendForge pages: live refresh over server-sent events, and JSON actions with clear errors.
(function () {
  "use strict";

  // Elements with data-fragment="<url>" are re-fetched when /events reports a change that
  // concerns them (data-idea="<id>" narrows it to one idea).
  // A fragment holding a form someone is filling in (focus inside, or a field changed) is
  // left alone: the refresh waits for the next change after they are done.
  function busy(el) {
    var active = document.activeElement;
    if (active && active !== document.body && el.contains(active) && active.form) return true;
    return Array.prototype.some.call(el.querySelectorAll("input, textarea"), function (f) {
      return f.type === "checkbox" ? f.checked !== f.defaultChecked : f.value !== f.defaultValue;
    });
  }

  // Busy is asked again when the fragment arrives: a field filled in while it was on its way
  // (a slow answer under load) would otherwise be wiped, and the form sent empty.
  function refresh(el) {
    if (busy(el)) return Promise.resolve();
    return fetch(el.dataset.fragment, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        if (busy(el)) return;
        el.innerHTML = html;
        el.dispatchEvent(new Event("refreshed"));
      })
      .catch(function () { /* the next event retries */ });
  }

  function connect() {
    var live = document.querySelectorAll("[data-fragment]");
    if (!live.length || !window.EventSource) return;
    var status = document.getElementById("live-status");
    var es = new EventSource("/events");
    // on every (re)connection, catch up once: a change between the page's render and this
    // subscription (or while reconnecting) sends no event of its own
    es.addEventListener("open", function () {
      if (status) status.textContent = "live";
      live.forEach(function (el) { refresh(el); });
    });
    es.addEventListener("error", function () { if (status) status.textContent = "reconnecting…"; });
    es.addEventListener("change", function (ev) {
      var data = {};
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      var ids = (data.ideas || []).map(String);
      live.forEach(function (el) {
        if (!el.dataset.idea || ids.indexOf(el.dataset.idea) >= 0) refresh(el);
      });
      if (status) status.textContent = "live · updated " + new Date().toLocaleTimeString();
    });
  }

  // <form data-json="/url" data-method="POST"> posts its fields as JSON (or as multipart when
  // it has a file input); the answer's "detail" is shown on failure, data-next on success.
  function detail(body) {
    if (!body) return "";
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) {
      return body.detail.map(function (d) { return (d.loc || []).slice(1).join(".") + ": " + d.msg; }).join("\n");
    }
    return JSON.stringify(body);
  }

  // <form data-shift>: a factory day's report, one number input per line (data-line); the
  // lines left empty are not reported
  function shiftOf(form) {
    var day = Number(form.elements.day.value);
    var reports = [];
    form.querySelectorAll("input[data-line]").forEach(function (input) {
      if (input.value !== "") reports.push({ line_id: input.dataset.line, day: day, units: Number(input.value) });
    });
    return { reports: reports };
  }

  function fieldsOf(form) {
    if (form.dataset.shift !== undefined) return shiftOf(form);
    var out = {};
    new FormData(form).forEach(function (value, key) {
      if (value === "") return;
      var input = form.elements[key];
      if (input && input.type === "number") value = Number(value);
      if (input && input.type === "checkbox") value = true;
      if (input && input.dataset.list !== undefined) value = String(value).split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      var path = key.split(".");
      var at = out;
      for (var i = 0; i < path.length - 1; i++) { at = at[path[i]] = at[path[i]] || {}; }
      at[path[path.length - 1]] = value;
    });
    if (form.dataset.extra) Object.assign(out, JSON.parse(form.dataset.extra));
    return out;
  }

  function submit(form, ev) {
    ev.preventDefault();
    var msg = form.querySelector(".form-msg") || (form.closest("[data-variant]") || form).querySelector(".form-msg");
    var buttons = form.querySelectorAll("button");
    var clicked = ev.submitter;
    var multipart = form.querySelector("input[type=file]");
    // the session cookie alone is not enough for a change: send the page's anti-forgery token
    var csrf = document.querySelector('meta[name="csrf-token"]');
    var init = { method: form.dataset.method || "POST", credentials: "same-origin",
                 headers: { "X-CSRF-Token": csrf ? csrf.content : "" } };
    if (multipart) {
      init.body = new FormData(form);
    } else {
      var fields = fieldsOf(form);
      if (clicked && clicked.name) fields[clicked.name] = JSON.parse(clicked.value);
      init.body = JSON.stringify(fields);
      init.headers["content-type"] = "application/json";
    }
    buttons.forEach(function (b) { b.disabled = true; });
    if (msg) { msg.className = "form-msg muted"; msg.textContent = "working…"; }
    fetch(form.dataset.json, init)
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) { return [r, b]; }); })
      .then(function (rb) {
        var r = rb[0], body = rb[1];
        if (!r.ok) throw new Error(r.status + " — " + (detail(body) || r.statusText));
        if (msg) { msg.className = "form-msg okmsg"; msg.textContent = form.dataset.done || "done"; }
        var next = form.dataset.next;
        if (next) window.location = next.replace(/\{(\w+)\}/g, function (_, key) { return body[key]; });
        else if (form.dataset.reload !== undefined) {
          // the browser would restore the typed values into the reloaded page, and a form
          // that looks filled in is never refreshed live: a run that records the report after
          // the reload (a 202: the workflow counts it) would leave the page stale for good
          form.reset();
          window.location.reload();
        }
      })
      .catch(function (err) {
        if (msg) { msg.className = "form-msg error"; msg.textContent = err.message; }
      })
      .finally(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }

  document.addEventListener("submit", function (ev) {
    if (ev.target.dataset && ev.target.dataset.json) submit(ev.target, ev);
  });

  // 3D viewer: any element with data-model opens the shared <dialog id="viewer">.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-model]");
    if (!el) return;
    var dlg = document.getElementById("viewer");
    if (!dlg) return;
    dlg.querySelector("model-viewer").setAttribute("src", el.dataset.model);
    dlg.querySelector(".title").textContent = el.dataset.title || "3D view";
    dlg.showModal();
  });

  // A banner while a task queue has no worker (GET /readyz answers 503 then): the stages that
  // need it are stuck until a worker is back. Checked every 15 s.
  function watchWorkers() {
    var banner = document.getElementById("worker-banner");
    if (!banner) return;
    function check() {
      fetch(banner.dataset.readyz, { credentials: "same-origin" })
        .then(function (r) { return r.json().then(function (body) { return [r.status, body]; }); })
        .then(function (res) {
          if (res[0] === 200) { banner.hidden = true; return; }
          banner.textContent = "Work is stopped: " + (res[1].status || "a task queue has no worker") +
            ". The stages that need it wait until a worker is back.";
          banner.hidden = false;
        })
        .catch(function () {});
    }
    check();
    setInterval(check, 15000);
  }

  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("DOMContentLoaded", watchWorkers);
})();
