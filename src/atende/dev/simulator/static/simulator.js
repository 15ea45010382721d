// Channel simulator (pt-BR). No build step: plain browser JavaScript talking to /simulator/api/*.
"use strict";

const state = { channel: "whatsapp", customer: "maria", config: null, seen: "" };
const $ = (id) => document.getElementById(id);
const TICKS = { sent: "✓", delivered: "✓✓", read: "✓✓" };

async function api(path, body) {
  const response = await fetch(`/simulator/api/${path}`, body
    ? { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }
    : {});
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function send(body) {
  $("error").textContent = "";
  try {
    const result = await api("send", { channel: state.channel, customer: state.customer, ...body });
    if (result.webhook_status !== 200) $("error").textContent = `O webhook respondeu HTTP ${result.webhook_status}`;
  } catch (err) {
    $("error").textContent = `Falha ao enviar: ${err.message}`;
  }
  refresh();
}

function choose(choice, replyTo) {
  send({ kind: "choice", text: choice.title, choice_id: choice.id, list: !!choice.list, reply_to: replyTo });
}

function bubble(message) {
  const node = el("li", { class: `bubble ${message.author}`, "data-id": message.id });
  if (message.image_url) node.append(el("img", { src: message.image_url, alt: "Foto" }));
  if (message.location) {
    node.append(el("span", { class: "location" }, `Localização: ${message.location.name}\n${message.location.latitude}, ${message.location.longitude}`));
  }
  if (message.text) node.append(el("span", { class: "text" }, message.text));
  if (message.choices && message.choices.length) {
    const options = el("div", { class: "options" });
    for (const choice of message.choices) {
      options.append(el("button", { type: "button", onclick: () => choose(choice, message.id) }, choice.title));
    }
    node.append(options);
  }
  const time = new Date(message.at * 1000).toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit" });
  if (message.author === "atende") {
    const status = message.status || "sent";
    node.append(el("span", { class: `meta ${status === "read" ? "read" : ""}`, title: status }, `${time} ${TICKS[status] || ""}`));
  } else {
    const ok = message.status === "200";
    node.append(el("span", { class: "meta" }, `${time} ${ok ? "✓" : "⚠"}`));
  }
  return node;
}

async function refresh() {
  const query = new URLSearchParams({ channel: state.channel, customer: state.customer });
  const data = await api(`thread?${query}`);
  const digest = JSON.stringify(data.messages.map((m) => [m.id, m.status]));
  if (digest === state.seen) return;
  state.seen = digest;
  const thread = $("thread");
  thread.replaceChildren(...data.messages.map(bubble));
  thread.scrollTop = thread.scrollHeight;
}

function selectChannel(id) {
  state.channel = id;
  state.seen = "";
  const channel = state.config.channels.find((c) => c.id === id);
  document.querySelector(".phone").dataset.channel = id;
  $("phone-title").textContent = `Atende · ${channel.name}`;
  refresh();
}

function selectCustomer(key) {
  state.customer = key;
  state.seen = "";
  const customer = state.config.customers.find((c) => c.key === key);
  $("phone-sub").textContent = `você é ${customer.name} (${customer.phone})`;
  refresh();
}

async function init() {
  state.config = await api("config");
  for (const channel of state.config.channels) {
    const input = el("input", { type: "radio", name: "channel", value: channel.id, id: `ch-${channel.id}` });
    input.checked = channel.id === state.channel;
    input.addEventListener("change", () => selectChannel(channel.id));
    $("channels").append(el("label", { for: `ch-${channel.id}` }, input, ` ${channel.name}`));
  }
  for (const customer of state.config.customers) {
    $("customer").append(el("option", { value: customer.key }, `${customer.name} · ${customer.phone}`));
  }
  $("customer").addEventListener("change", (e) => selectCustomer(e.target.value));
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    send({ kind: "text", text });
  });
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      const base64 = String(reader.result).split(",")[1];
      send({ kind: "image", image: base64, mime_type: file.type || "image/jpeg", text: $("text").value.trim() });
      $("text").value = "";
      $("file").value = "";
    };
    reader.readAsDataURL(file);
  });
  $("locate").addEventListener("click", () => send({ kind: "location", name: "Minha casa" }));
  selectChannel(state.channel);
  selectCustomer(state.customer);
  setInterval(refresh, 700);
}

init().catch((err) => { $("error").textContent = `Simulador indisponível: ${err.message}`; });
