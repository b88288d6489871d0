// inbox-demo.js - the example inbox page's script (/inbox-demo), served at
// /static/inbox-demo.js. It shows how a product's own page uses a user's inbox:
// the user id and the user's inbox token come in the address's fragment
// (#user=ana&token=...; a fragment is never sent to a server), the page opens
// the user's event stream, fetches the inbox once the stream is ready, and
// keeps the list and the unread badge up to date from the stream's events,
// also when another tab or device marks an item.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.hash.slice(1));
  const user = params.get("user") || "";
  const token = params.get("token") || "";
  const base = "/v1/inbox/" + encodeURIComponent(user);
  const items = new Map(); // id -> item, as the API shows it

  function show(state) {
    $("state").textContent = state;
  }

  function badge(unread) {
    $("badge").textContent = String(unread);
    $("badge").dataset.count = String(unread);
  }

  function call(path, method) {
    return fetch(base + path, { method: method || "GET",
                                headers: { Authorization: "Bearer " + token } })
      .then((r) => r.json().then((body) => {
        if (!r.ok) throw new Error(body.error ? body.error.message : "HTTP " + r.status);
        return body;
      }));
  }

  function row(item) {
    const li = document.createElement("li");
    li.className = "list-group-item d-flex justify-content-between align-items-start" +
                   (item.read ? "" : " list-group-item-primary");
    li.id = "item-" + item.id;
    li.dataset.read = String(item.read);
    const text = document.createElement("div");
    const subject = document.createElement("div");
    subject.className = "fw-bold";
    subject.textContent = item.subject || "(no subject)";
    const body = document.createElement("div");
    body.className = "item-body";
    body.textContent = item.body;
    const when = document.createElement("small");
    when.className = "text-muted";
    when.textContent = new Date(item.created_at).toLocaleString();
    text.append(subject, body, when);
    const button = document.createElement("button");
    button.className = "btn btn-sm btn-outline-secondary mark";
    button.id = "mark-" + item.id;
    button.textContent = item.read ? "Mark unread" : "Mark read";
    button.addEventListener("click", () => {
      call("/items/" + encodeURIComponent(item.id) + "/" + (item.read ? "unread" : "read"), "POST")
        .catch((e) => show("error: " + e.message));
    });
    li.append(text, button);
    return li;
  }

  function render() {
    const list = $("items");
    const sorted = Array.from(items.values()).sort((a, b) => b.seq - a.seq);
    list.replaceChildren(...sorted.map(row));
    $("empty").hidden = sorted.length > 0;
  }

  function load() {
    return call("?limit=50").then((page) => {
      page.items.forEach((item) => items.set(item.id, item));
      badge(page.unread);
      render();
    }).catch((e) => show("error: " + e.message));
  }

  function changed(ev) {
    const data = JSON.parse(ev.data);
    if (data.item) {
      if (data.item.archived) items.delete(data.item.id);
      else items.set(data.item.id, data.item);
    }
    badge(data.unread);
    render();
  }

  function connect() {
    const stream = new EventSource(base + "/stream?token=" + encodeURIComponent(token));
    ["new", "seen", "read", "unread", "archived", "unarchived"].forEach((kind) =>
      stream.addEventListener(kind, changed));
    stream.addEventListener("read_all", (ev) => {
      const data = JSON.parse(ev.data);
      items.forEach((item) => {
        if (!data.category || item.category === data.category) item.read = true;
      });
      badge(data.unread);
      render();
    });
    stream.addEventListener("ready", () => {
      show("live");
      load();
    });
    stream.addEventListener("reset", () => {
      items.clear();
      load();
    });
    stream.onerror = () => show("reconnecting");
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!user || !token) {
      show("open this page as /inbox-demo#user=USER&token=TOKEN " +
           "(notifyctl inbox token USER)");
      return;
    }
    $("user").textContent = user;
    $("read-all").addEventListener("click", () => {
      call("/read-all", "POST").catch((e) => show("error: " + e.message));
    });
    connect();
  });
})();
