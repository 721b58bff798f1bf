// The live analytics dashboard (GET /dashboard): plain JavaScript, no build step, nothing
// from another origin. It signs in (or uses the session), lists the courses the user may
// watch, draws the chosen course's totals, daily chart and lesson funnel from
// GET /api/v1/courses/{id}/analytics, and follows analytics.updated on the WebSocket
// (docs/websocket.md): ticket, subscribe, resume with `since`, reload by REST on `reset`.
"use strict";

(() => {
  const FEED_SIZE = 20;
  const BACKOFF_FIRST = 500; // ms before the first reconnect; doubles up to BACKOFF_MAX
  const BACKOFF_MAX = 15000;
  const REFRESH_EVERY = 5000; // ms: the chart and funnel are re-read by REST at most this often
  const SEEN_KEPT = 500;
  const CHANGED_SHOWN = 2500; // ms a figure that just changed stays underlined // event ids remembered to drop a frame applied twice
  const WATCHERS = new Set(["instructor", "admin"]);
  const SVG = "http://www.w3.org/2000/svg";

  const state = {
    user: null,
    csrf: null,
    courses: [],
    courseId: null,
    report: null,
    totals: null,
    reportSeq: 0, // the latest REST read of the report; older answers are dropped
    liveStamp: 0, // counts live totals applied, to know whether a REST answer is older
    lastRefresh: 0,
    reading: 0, // REST reads of the report under way
    refreshTimer: null,
    ws: null,
    connecting: false, // a ticket is being fetched
    subscribed: new Set(),
    last: new Map(), // channel -> the id of the last event received on it
    seen: new Set(), // event_ids applied (bounded)
    feed: [],
    attempt: 0,
    retryTimer: null,
    holdUntil: 0,
    connection: "offline",
  };

  const $ = (id) => document.getElementById(id);

  // --- HTTP ------------------------------------------------------------------------------

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    const init = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = null;
    const text = await response.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (_) {
        data = null;
      }
    }
    return { ok: response.ok, status: response.status, data, headers: response.headers };
  }

  function problemText(answer, fallback) {
    const detail = answer && answer.data && (answer.data.detail || answer.data.title);
    return detail ? String(detail) : fallback;
  }

  // --- formatting --------------------------------------------------------------------------

  const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  function percent(share) {
    return decimal.format(Number(share) * 100) + " %";
  }

  function money(perCurrency) {
    const entries = Object.entries(perCurrency || {});
    if (!entries.length) return "0";
    return entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amount]) => `${amount} ${currency}`)
      .join(", ");
  }

  const TOTALS = [
    ["enrollments", "total-enrollments", (t) => integer.format(t.enrollments)],
    ["active_enrollments", "total-active-enrollments", (t) => integer.format(t.active_enrollments)],
    ["completions", "total-completions", (t) => integer.format(t.completions)],
    ["completion_rate", "total-completion-rate", (t) => percent(t.completion_rate)],
    ["average_progress", "total-average-progress", (t) => decimal.format(t.average_progress) + " %"],
    ["active_learners_7d", "total-active-learners-7d", (t) => integer.format(t.active_learners_7d)],
    ["revenue", "total-revenue", (t) => money(t.revenue)],
    ["forum_posts", "total-forum-posts", (t) => integer.format(t.forum_posts)],
  ];

  function count(n, word) {
    return `${integer.format(n)} ${word}${n === 1 ? "" : "s"}`;
  }

  function eventTime(id) {
    const ms = Number(String(id || "").split("-")[0]);
    return Number.isFinite(ms) && ms > 0 ? new Date(ms) : new Date();
  }

  function clock(date) {
    return date.toLocaleTimeString("en-GB", { hour12: false });
  }

  function todayUtc() {
    return new Date().toISOString().slice(0, 10);
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- what is shown -----------------------------------------------------------------------

  const LABELS = {
    offline: "Offline",
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
  };

  function setConnection(name, detail) {
    state.connection = name;
    const node = $("connection-state");
    node.dataset.state = name;
    node.textContent = detail ? `${LABELS[name]} ${detail}` : LABELS[name];
    $("retry-now").hidden = name !== "reconnecting";
  }

  function showError(id, message) {
    const node = $(id);
    node.textContent = message || "";
    node.hidden = !message;
  }

  function show(view) {
    $("loading").hidden = true;
    $("sign-in").hidden = view !== "sign-in";
    $("board").hidden = view !== "board";
    $("account").hidden = state.user === null;
  }

  const changedTimers = new Map();

  function renderTotals(totals, previous) {
    for (const [key, id, format] of TOTALS) {
      const node = $(id);
      node.textContent = totals ? format(totals) : "–";
      if (!totals) node.classList.remove("changed");
      const changed = previous && totals && JSON.stringify(previous[key]) !== JSON.stringify(totals[key]);
      if (!changed) continue;
      node.classList.add("changed");
      clearTimeout(changedTimers.get(id));
      changedTimers.set(id, setTimeout(() => node.classList.remove("changed"), CHANGED_SHOWN));
    }
  }

  function renderUpdatedAt(how) {
    $("updated-at").textContent = `Updated ${clock(new Date())} (${how}).`;
  }

  function renderRange(report) {
    $("range").textContent = report ? `Daily figures from ${report.from} to ${report.to} (UTC days).` : "";
  }

  function niceMax(value) {
    if (value <= 4) return Math.max(1, Math.ceil(value));
    const step = Math.pow(10, Math.floor(Math.log10(value)));
    for (const factor of [1, 2, 2.5, 5, 10]) {
      if (value <= factor * step) return factor * step;
    }
    return 10 * step;
  }

  function renderChart() {
    const box = $("daily-chart");
    box.replaceChildren();
    const tbody = $("daily-table").tBodies[0];
    tbody.replaceChildren();
    const report = state.report;
    if (!report) return;
    const days = report.daily;
    const width = Math.max(280, Math.round(box.clientWidth || 640));
    const height = width < 480 ? 200 : 260;
    const pad = { left: 36, right: 12, top: 12, bottom: 34 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const enrolled = days.map((d) => d.enrollments);
    const completed = days.map((d) => d.completions);
    const top = niceMax(Math.max(0, ...enrolled, ...completed));
    const x = (i) => pad.left + (days.length < 2 ? plotW / 2 : (plotW * i) / (days.length - 1));
    const y = (v) => pad.top + plotH - (plotH * v) / top;
    const sumE = enrolled.reduce((a, b) => a + b, 0);
    const sumC = completed.reduce((a, b) => a + b, 0);
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-labelledby": "chart-svg-title",
      "data-testid": "daily-chart-svg",
    });
    chart.append(
      svg(
        "title",
        { id: "chart-svg-title" },
        `From ${report.from} to ${report.to}: ${sumE} enrollments (solid line, circles) and ` +
          `${sumC} completions (dashed line, squares).`,
      ),
    );

    // Horizontal grid and the y axis, in whole numbers.
    const grid = svg("g", { class: "grid" });
    const yAxis = svg("g", { class: "axis axis-y" });
    const ticks = Math.min(top, 4);
    for (let k = 0; k <= ticks; k += 1) {
      const value = (top * k) / ticks;
      const at = y(value);
      grid.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: at, y2: at }));
      yAxis.append(
        svg("text", { x: pad.left - 6, y: at + 4, "text-anchor": "end" }, integer.format(value)),
      );
    }
    yAxis.append(svg("line", { x1: pad.left, x2: pad.left, y1: pad.top, y2: pad.top + plotH }));

    // The x axis: a few dates, as many as fit.
    const xAxis = svg("g", { class: "axis axis-x" });
    const base = pad.top + plotH;
    xAxis.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: base, y2: base }));
    const fit = Math.max(2, Math.floor(plotW / 56));
    const every = Math.max(1, Math.ceil(days.length / fit));
    days.forEach((day, i) => {
      const last = i === days.length - 1;
      if (i % every !== 0 && !last) return;
      if (!last && i !== 0 && days.length - 1 - i < every) return; // leave room for the last
      xAxis.append(svg("line", { x1: x(i), x2: x(i), y1: base, y2: base + 4 }));
      const anchor = i === 0 ? "start" : last ? "end" : "middle";
      xAxis.append(
        svg("text", { x: x(i), y: base + 18, "text-anchor": anchor }, day.date.slice(5)),
      );
    });
    xAxis.append(
      svg("text", { x: pad.left + plotW / 2, y: height - 2, "text-anchor": "middle" }, "day (UTC)"),
    );
    chart.append(grid, yAxis, xAxis);

    const markers = days.length < 2 || plotW / (days.length - 1) >= 7;
    const series = [
      ["enrollments", enrolled, "circle"],
      ["completions", completed, "square"],
    ];
    for (const [name, values, shape] of series) {
      const group = svg("g", { class: `series series-${name}-group`, "data-series": name });
      const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      group.append(svg("polyline", { class: `series-${name}`, points }));
      if (markers) {
        values.forEach((v, i) => {
          const mark =
            shape === "circle"
              ? svg("circle", { class: `marker-${name}`, cx: x(i), cy: y(v), r: 3.5 })
              : svg("rect", { class: `marker-${name}`, x: x(i) - 3.5, y: y(v) - 3.5, width: 7, height: 7 });
          mark.append(svg("title", {}, `${days[i].date}: ${v} ${name}`));
          group.append(mark);
        });
      }
      chart.append(group);
    }
    box.append(chart);

    for (const day of days.slice().reverse()) {
      const row = el("tr");
      row.append(el("td", {}, day.date), el("td", {}, String(day.enrollments)), el("td", {}, String(day.completions)));
      tbody.append(row);
    }
  }

  function renderFunnel() {
    const box = $("funnel");
    box.replaceChildren();
    const report = state.report;
    if (!report) return;
    const lessons = report.lessons;
    if (!lessons.length) {
      box.append(el("p", { class: "muted" }, "This course has no lessons yet."));
      return;
    }
    const width = Math.max(280, Math.round(box.clientWidth || 480));
    const row = 46;
    const height = lessons.length * row + 4;
    const barW = width - 2;
    const most = Math.max(1, ...lessons.map((l) => Math.max(l.started, l.completed)));
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-labelledby": "funnel-svg-title",
      "data-testid": "funnel-svg",
    });
    chart.append(
      svg("title", { id: "funnel-svg-title" }, "Per lesson: started (outlined bar) and completed (filled bar)."),
    );
    lessons.forEach((lesson, i) => {
      const top = i * row;
      const group = svg("g", { class: "lesson", "data-lesson-id": lesson.lesson_id });
      group.append(svg("text", { class: "lesson-title", x: 1, y: top + 13 }, `${lesson.position}. ${lesson.title}`));
      const started = Math.max(1, (barW * lesson.started) / most);
      const completed = (barW * lesson.completed) / most;
      group.append(svg("rect", { class: "bar-started", x: 1, y: top + 18, width: started, height: 10 }));
      if (completed > 0) {
        group.append(svg("rect", { class: "bar-completed", x: 1, y: top + 20, width: Math.max(1, completed), height: 6 }));
      }
      group.append(
        svg(
          "text",
          { class: "lesson-figures", x: 1, y: top + 41 },
          `${lesson.started} started · ${lesson.completed} completed (${percent(lesson.completion_share)} of enrolled)`,
        ),
      );
      chart.append(group);
    });
    box.append(chart);
  }

  function renderFeed() {
    const list = $("feed");
    list.replaceChildren();
    if (!state.feed.length) {
      list.append(el("li", { class: "empty" }, "No events yet: they appear here as they happen."));
      return;
    }
    for (const item of state.feed) {
      const li = el("li", { "data-type": item.type, "data-channel": item.channel, "data-id": item.id });
      li.append(
        el("time", { datetime: item.time.toISOString() }, clock(item.time)),
        el("span", { class: "type" }, item.type),
        el("span", { class: "channel" }, item.channel),
      );
      if (item.summary) li.append(el("span", { class: "summary" }, item.summary));
      list.append(li);
    }
  }

  function summaryOf(frame) {
    const data = frame.data || {};
    if (frame.type === "analytics.updated" && data.totals) {
      const t = data.totals;
      return `${count(t.enrollments, "enrollment")}, ${count(t.completions, "completion")}`;
    }
    return "";
  }

  function idOrder(id) {
    const [ms, seq] = String(id).split("-");
    return [Number(ms) || 0, Number(seq) || 0];
  }

  function addToFeed(frame) {
    state.feed.push({
      id: frame.id,
      channel: frame.channel,
      type: String(frame.type),
      time: eventTime(frame.id),
      summary: summaryOf(frame),
    });
    state.feed.sort((a, b) => {
      const [am, as] = idOrder(a.id);
      const [bm, bs] = idOrder(b.id);
      return bm - am || bs - as;
    });
    state.feed.length = Math.min(state.feed.length, FEED_SIZE);
    renderFeed();
  }

  // --- the figures -------------------------------------------------------------------------

  function courseChannel() {
    return state.courseId === null ? null : `course:${state.courseId}`;
  }

  function channels() {
    const wanted = [];
    if (courseChannel()) wanted.push(courseChannel());
    if (state.user && state.user.role === "admin") wanted.push("admin");
    return wanted;
  }

  async function loadReport(quiet) {
    const courseId = state.courseId;
    if (courseId === null) return;
    const seq = ++state.reportSeq;
    const stamp = state.liveStamp;
    state.lastRefresh = Date.now();
    let answer;
    state.reading += 1;
    try {
      answer = await api("GET", `/api/v1/courses/${courseId}/analytics`);
    } catch (_) {
      if (seq === state.reportSeq) showError("board-error", "Cannot reach the server to read the figures.");
      return;
    } finally {
      state.reading -= 1;
    }
    if (seq !== state.reportSeq || courseId !== state.courseId) return;
    if (answer.status === 401) return signedOut("Your session ended: sign in again.");
    if (!answer.ok) {
      showError("board-error", problemText(answer, `The figures could not be read (${answer.status}).`));
      return;
    }
    showError("board-error", "");
    const report = answer.data;
    const previous = state.totals;
    state.report = report;
    if (stamp !== state.liveStamp && state.totals) {
      // Live totals came while this was read: they may be newer; read again shortly.
      report.totals = state.totals;
      scheduleRefresh();
    }
    state.totals = report.totals;
    renderTotals(state.totals, quiet ? previous : null);
    renderRange(report);
    renderChart();
    renderFunnel();
    renderUpdatedAt("read");
  }

  function scheduleRefresh() {
    if (state.refreshTimer !== null) return;
    const wait = Math.max(0, state.lastRefresh + REFRESH_EVERY - Date.now()) + 250;
    state.refreshTimer = setTimeout(() => {
      state.refreshTimer = null;
      loadReport(true);
    }, wait);
  }

  function applyLiveTotals(totals) {
    const previous = state.totals;
    state.totals = totals;
    state.liveStamp += 1;
    renderTotals(totals, previous);
    renderUpdatedAt("live");
    const report = state.report;
    if (!report) return;
    report.totals = totals;
    // Today's point moves now; the REST read that follows sets the chart and funnel exactly.
    if (report.to === todayUtc() && previous) {
      const today = report.daily.find((day) => day.date === report.to);
      if (today) {
        today.enrollments += Math.max(0, totals.enrollments - previous.enrollments);
        today.completions += Math.max(0, totals.completions - previous.completions);
        renderChart();
      }
    }
    scheduleRefresh();
  }

  // --- the WebSocket -----------------------------------------------------------------------

  function send(ws, frame) {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  function subscribe(ws, channel, resume) {
    const frame = { op: "subscribe", channel };
    if (resume && state.last.has(channel)) frame.since = state.last.get(channel);
    send(ws, frame);
  }

  function settle() {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
    if (channels().every((channel) => state.subscribed.has(channel))) {
      state.attempt = 0;
      setConnection("live");
    }
  }

  async function connect() {
    clearTimeout(state.retryTimer);
    state.retryTimer = null;
    if (!state.user || state.ws || state.connecting) return;
    setConnection(state.attempt ? "reconnecting" : "connecting", state.attempt ? `(attempt ${state.attempt + 1})` : "");
    const user = state.user;
    let ticket;
    state.connecting = true;
    try {
      const answer = await api("POST", "/api/v1/ws/ticket");
      if (answer.status === 401) return signedOut("Your session ended: sign in again.");
      if (!answer.ok || !answer.data || !answer.data.ticket) throw new Error(String(answer.status));
      ticket = answer.data.ticket;
    } catch (_) {
      if (state.user === user) scheduleReconnect();
      return;
    } finally {
      state.connecting = false;
    }
    if (state.user !== user || state.ws) return;
    const url = location.origin.replace(/^http/, "ws") + "/api/v1/ws?ticket=" + encodeURIComponent(ticket);
    const ws = new WebSocket(url);
    state.ws = ws;
    state.subscribed = new Set();
    ws.onopen = () => {
      for (const channel of channels()) subscribe(ws, channel, true);
      settle();
    };
    ws.onmessage = (message) => onFrame(ws, message.data);
    ws.onclose = (event) => onClose(ws, event);
  }

  function scheduleReconnect() {
    clearTimeout(state.retryTimer);
    state.attempt += 1;
    const backoff = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (state.attempt - 1));
    const wait = Math.max(backoff * (0.75 + Math.random() * 0.5), state.holdUntil - Date.now());
    setConnection("reconnecting", `(next try in ${Math.max(1, Math.round(wait / 1000))} s)`);
    state.retryTimer = setTimeout(connect, wait);
  }

  function reconnectNow() {
    state.holdUntil = 0;
    if (!state.user || state.ws || state.connecting) return;
    connect();
  }

  function onClose(ws, event) {
    if (ws !== state.ws) return;
    state.ws = null;
    state.subscribed = new Set();
    if (!state.user) return;
    if (event.code === 1008) return signedOut("Your session ended: sign in again.");
    scheduleReconnect();
  }

  function onFrame(ws, raw) {
    if (ws !== state.ws) return;
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch (_) {
      return;
    }
    const wanted = channels();
    if (frame.op === "subscribed") {
      if (!wanted.includes(frame.channel)) return;
      state.subscribed.add(frame.channel);
      if (frame.reset && frame.channel === courseChannel()) loadReport(true);
      settle();
    } else if (frame.op === "event") {
      if (!wanted.includes(frame.channel)) return;
      state.last.set(frame.channel, frame.id);
      if (frame.event_id) {
        if (state.seen.has(frame.event_id)) return;
        state.seen.add(frame.event_id);
        if (state.seen.size > SEEN_KEPT) state.seen.delete(state.seen.values().next().value);
      }
      addToFeed(frame);
      const data = frame.data || {};
      if (frame.type === "analytics.updated" && frame.channel === courseChannel() && data.totals) {
        if (Number(data.course_id) === state.courseId) applyLiveTotals(data.totals);
      }
    } else if (frame.op === "error") {
      if (frame.channel && wanted.includes(frame.channel)) {
        if (frame.code === "unavailable" || frame.code === "throttled" || frame.code === "internal") {
          setTimeout(() => {
            if (ws === state.ws && channels().includes(frame.channel)) subscribe(ws, frame.channel, true);
          }, 1000);
        } else if (frame.code === "forbidden") {
          state.subscribed.delete(frame.channel);
          showError("board-error", `You may not watch ${frame.channel} (any more).`);
        }
      }
    }
  }

  function dropSocket(holdMs) {
    state.holdUntil = Date.now() + (Number(holdMs) || 0);
    if (state.ws) state.ws.close(4000, "dropped");
  }

  // --- signing in, the course list ------------------------------------------------------

  function signedOut(message) {
    state.user = null;
    state.csrf = null;
    state.courseId = null;
    state.report = null;
    state.totals = null;
    state.feed = [];
    state.last = new Map();
    clearTimeout(state.retryTimer);
    clearTimeout(state.refreshTimer);
    state.retryTimer = state.refreshTimer = null;
    state.attempt = 0;
    state.subscribed = new Set();
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close(1000, "signed out");
    setConnection("offline");
    show("sign-in");
    showError("sign-in-error", message || "");
  }

  async function signedIn(session) {
    state.user = session.user;
    state.csrf = session.csrf_token;
    $("account-name").textContent = `${session.user.full_name} (${session.user.role})`;
    if (!WATCHERS.has(session.user.role)) {
      show("sign-in");
      showError("sign-in-error", "This dashboard is for instructors and admins: sign in with such an account.");
      return;
    }
    show("board");
    $("feed-admin").hidden = session.user.role !== "admin";
    renderFeed();
    await loadCourses();
    connect();
  }

  async function loadCourses() {
    let answer;
    try {
      answer = await api("GET", "/api/v1/analytics/courses");
    } catch (_) {
      showError("board-error", "Cannot reach the server to list the courses.");
      return;
    }
    if (answer.status === 401) return signedOut("Your session ended: sign in again.");
    if (!answer.ok) {
      showError("board-error", problemText(answer, `The courses could not be listed (${answer.status}).`));
      return;
    }
    state.courses = answer.data;
    const select = $("course-select");
    select.replaceChildren(el("option", { value: "" }, "Pick a course…"));
    for (const course of state.courses) {
      const label = course.status === "published" ? course.title : `${course.title} (${course.status})`;
      select.append(el("option", { value: String(course.id) }, label));
    }
    $("no-courses").hidden = state.courses.length > 0;
    const wanted = Number(new URLSearchParams(location.hash.slice(1)).get("course"));
    const pick = state.courses.find((c) => c.id === wanted) || (state.courses.length === 1 ? state.courses[0] : null);
    if (pick) {
      select.value = String(pick.id);
      selectCourse(pick.id);
    }
  }

  function selectCourse(courseId) {
    if (courseId === state.courseId) return;
    const old = courseChannel();
    if (old && state.ws) send(state.ws, { op: "unsubscribe", channel: old });
    if (old) state.subscribed.delete(old);
    state.courseId = courseId;
    state.report = null;
    state.totals = null;
    state.feed = state.feed.filter((item) => item.channel === "admin");
    renderFeed();
    renderTotals(null, null);
    renderRange(null);
    renderChart();
    renderFunnel();
    $("updated-at").textContent = "";
    showError("board-error", "");
    $("course-view").hidden = courseId === null;
    const course = state.courses.find((c) => c.id === courseId);
    $("course-title").textContent = course ? `· ${course.title}` : "";
    history.replaceState(null, "", courseId === null ? location.pathname : `#course=${courseId}`);
    if (courseId === null) return settle();
    loadReport(false);
    // A fresh read by REST: live from here on, no replay of what it already counts.
    state.last.delete(courseChannel());
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      subscribe(state.ws, courseChannel(), false);
      setConnection("connecting");
    }
  }

  async function submitSignIn(event) {
    event.preventDefault();
    const button = $("sign-in-button");
    button.disabled = true;
    showError("sign-in-error", "");
    try {
      const answer = await api("POST", "/api/v1/auth/login", {
        email: $("email").value,
        password: $("password").value,
      });
      if (answer.ok) {
        $("password").value = "";
        await signedIn(answer.data);
      } else if (answer.status === 401) {
        showError("sign-in-error", "Wrong email or password.");
      } else if (answer.status === 429) {
        const after = answer.headers.get("Retry-After");
        showError("sign-in-error", `Too many attempts: try again${after ? ` in ${after} s` : " later"}.`);
      } else {
        showError("sign-in-error", problemText(answer, `Signing in failed (${answer.status}).`));
      }
    } catch (_) {
      showError("sign-in-error", "Cannot reach the server.");
    } finally {
      button.disabled = false;
    }
  }

  async function signOut() {
    try {
      await api("POST", "/api/v1/auth/logout");
    } catch (_) {
      // signed out here anyway
    }
    signedOut("");
  }

  async function start() {
    $("sign-in-form").addEventListener("submit", submitSignIn);
    $("sign-out").addEventListener("click", signOut);
    $("retry-now").addEventListener("click", reconnectNow);
    $("course-select").addEventListener("change", (event) => {
      const value = event.target.value;
      selectCourse(value ? Number(value) : null);
    });
    window.addEventListener("online", reconnectNow);
    let redraw = 0;
    window.addEventListener("resize", () => {
      cancelAnimationFrame(redraw);
      redraw = requestAnimationFrame(() => {
        renderChart();
        renderFunnel();
      });
    });
    let answer;
    try {
      answer = await api("GET", "/api/v1/auth/session");
    } catch (_) {
      show("sign-in");
      showError("sign-in-error", "Cannot reach the server.");
      return;
    }
    if (answer.ok && answer.data && answer.data.csrf_token) await signedIn(answer.data);
    else show("sign-in");
  }

  // What the browser test drives and reads (and a person in the console may too).
  window.ocpDashboard = Object.freeze({
    dropSocket,
    reconnectNow,
    state: () => ({
      connection: state.connection,
      courseId: state.courseId,
      subscribed: [...state.subscribed],
      last: Object.fromEntries(state.last),
      socketOpen: Boolean(state.ws && state.ws.readyState === WebSocket.OPEN),
      // A REST read of the figures is under way or due (after live updates).
      reading: state.reading > 0 || state.refreshTimer !== null,
    }),
  });

  start();
})();
