// The sandbox chat page: draws one person's chat with the bot (or a group they are in,
// with its forum topics) and sends what they do over the live channel /sandbox/ws.
// No framework, nothing loaded from elsewhere.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    people: $("people"), messages: $("messages"), keyboard: $("keyboard"),
    keyboardToggle: $("keyboard-toggle"), menu: $("menu"), menuButton: $("menu-button"),
    composer: $("composer"), text: $("text"), photo: $("photo-input"),
    photoButton: $("photo-button"), document: $("document-input"), documentButton: $("document-button"),
    stickerButton: $("sticker-button"),
    deeplinkForm: $("deeplink-form"), deeplink: $("deeplink"), deeplinkError: $("deeplink-error"),
    botName: $("bot-name"), botStatus: $("bot-status"), me: $("me"), toast: $("toast"),
    alert: $("alert"), alertText: $("alert-text"),
    chatsSection: $("chats-section"), chats: $("chats"), topics: $("topics"),
    replying: $("replying"), replyingText: $("replying-text"), replyingCancel: $("replying-cancel"),
  };

  const state = {
    ws: null,
    person: initialPerson(),
    people: [],
    bot: { name: "CCCP", username: "bot" },
    commands: [],
    keyboard: null,
    isKeyboardHidden: false,
    refs: new Map(),   // ref -> what to do when the server says done/error
    nextRef: 1,
    retryMs: 500,
    typingTimer: null,
    unread: new Set(),
    isPinned: true,    // the person is reading the newest message: keep it in view
    chat: null,        // the chat shown: the person's own id (the bot's chat) or a group's id
    chats: [],         // the person's chats: the bot's, then their groups (with forum topics)
    unreadChats: new Set(),
    topic: null,       // in a forum: the topic shown and written in (null: all, writing in General)
    replyTo: null,     // in a group: the message the next one replies to
    byId: new Map(),   // the chat's messages by id (for the quote of a reply)
  };

  function initialPerson() {
    const fromUrl = new URLSearchParams(location.search).get("as");
    return fromUrl || localStorage.getItem("cccp-sandbox-person") || "";
  }

  // ---- the live channel ------------------------------------------------------------

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = state.person ? `?as=${encodeURIComponent(state.person)}` : "";
    const ws = new WebSocket(`${scheme}://${location.host}/sandbox/ws${query}`);
    state.ws = ws;
    ws.onopen = () => { state.retryMs = 500; renderChatHead(); document.body.classList.add("online"); };
    ws.onmessage = (event) => receive(JSON.parse(event.data));
    ws.onclose = () => {
      if (state.ws !== ws) return;
      document.body.classList.remove("online");
      setStatus("reconnecting…");
      setTimeout(connect, state.retryMs);
      state.retryMs = Math.min(state.retryMs * 2, 5000);
    };
  }

  function act(action, handlers = {}) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      showToast("Not connected to the sandbox; retrying…");
      return false;
    }
    const ref = state.nextRef++;
    state.refs.set(ref, handlers);
    state.ws.send(JSON.stringify({ ...action, ref }));
    return true;
  }

  function receive(msg) {
    switch (msg.type) {
      case "hello": return onHello(msg);
      case "message": return upsertMessage(msg.message, true);
      case "edited": return upsertMessage(msg.message, false);
      case "deleted": return removeMessage(msg.id);
      case "keyboard": return setKeyboard(msg.keyboard);
      case "commands": state.commands = msg.commands; return renderMenu();
      case "answer": return msg.show_alert ? showAlert(msg.text) : showToast(msg.text);
      case "typing": return showTyping(msg.action);
      case "notice": return addNotice(msg.text);
      case "paid": return markPaid(msg.id);
      case "unread": state.unread.add(msg.person); return renderPeople();
      case "unread_chat": state.unreadChats.add(msg.chat); return renderChats();
      case "done": case "error": {
        const handlers = state.refs.get(msg.ref) || {};
        state.refs.delete(msg.ref);
        if (msg.type === "done") { handlers.done && handlers.done(); return; }
        if (handlers.error) handlers.error(msg.text); else showToast(msg.text, true);
        return;
      }
    }
  }

  function onHello(msg) {
    if (msg.person !== state.person || msg.chat !== state.chat) { state.topic = null; state.replyTo = null; }
    if (msg.person !== state.person) state.unreadChats.clear();
    state.person = msg.person;
    state.people = msg.people;
    state.bot = msg.bot;
    state.commands = msg.commands;
    state.chat = msg.chat;
    state.chats = msg.chats || [];
    state.byId = new Map();
    state.unread.delete(msg.person);
    state.unreadChats.delete(msg.chat);
    localStorage.setItem("cccp-sandbox-person", msg.person);
    const url = new URL(location.href);
    url.searchParams.set("as", msg.person);
    history.replaceState(null, "", url);
    renderChatHead();
    document.querySelectorAll(".bot-username").forEach((el) => { el.textContent = msg.bot.username; });
    els.deeplink.placeholder = `t.me/${msg.bot.username}?start=CODE`;
    renderPeople();
    renderChats();
    renderTopics();
    renderReplying();
    els.messages.replaceChildren();
    if (!msg.messages.length) els.messages.append(emptyChat());
    msg.messages.forEach((m) => upsertMessage(m, true));
    state.isKeyboardHidden = false;
    setKeyboard(msg.keyboard);
    renderMenu();
    scrollToEnd(true);
  }

  // ---- chats: the bot's, and the groups the person is in (Support: the support group) --

  function currentChat() { return state.chats.find((c) => c.id === state.chat) || null; }
  function isGroup() { const chat = currentChat(); return !!chat && chat.kind !== "private"; }
  function myId() { const me = state.people.find((p) => p.slug === state.person); return me ? me.user_id : null; }

  function renderChatHead() {
    const chat = currentChat();
    const group = chat && chat.kind !== "private";
    els.botName.textContent = group ? chat.title : state.bot.name;
    document.body.classList.toggle("in-group", !!group);
    if (group) {
      const topics = chat.topics ? chat.topics.length : 0;
      setStatus(chat.kind === "forum" ? `forum · ${topics} topic${topics === 1 ? "" : "s"}` : "group");
    } else if (state.ws && state.ws.readyState === WebSocket.OPEN) setStatus("bot");
    els.documentButton.hidden = !!group;
    els.stickerButton.hidden = !!group;
  }

  function renderChats() {
    els.chatsSection.hidden = state.chats.length < 2;
    els.chats.replaceChildren(...state.chats.map((c) => {
      const button = el("button", { type: "button", className: "chat-item", dataset: { chat: String(c.id) } });
      if (c.id === state.chat) { button.classList.add("active"); button.setAttribute("aria-current", "true"); }
      button.append(el("span", { className: "chat-icon", ariaHidden: "true", textContent: c.kind === "private" ? "🤖" : "👥" }),
        el("span", { className: "person-text" },
          el("span", { className: "person-name", textContent: c.title }),
          el("span", { className: "person-role", textContent: c.kind === "private" ? "the bot" : c.kind === "forum" ? "forum group" : "group" })));
      if (state.unreadChats.has(c.id)) button.append(el("span", { className: "badge", title: "new messages" }));
      button.addEventListener("click", () => openChat(c.id));
      return button;
    }));
  }

  function openChat(id) {
    if (id === state.chat) return;
    hideMenu();
    act({ type: "open", chat: id });
  }

  function renderTopics() {
    const chat = currentChat();
    const topics = chat && chat.kind === "forum" ? chat.topics || [] : [];
    els.topics.hidden = !(chat && chat.kind === "forum");
    const tab = (label, id) => {
      const button = el("button", { type: "button", className: "topic", textContent: label });
      if (state.topic === id) { button.classList.add("active"); button.setAttribute("aria-current", "true"); }
      button.addEventListener("click", () => { state.topic = id; state.replyTo = null; renderTopics(); renderReplying(); applyTopic(); });
      return button;
    };
    els.topics.replaceChildren(tab("All", null), ...topics.map((t) => tab(t.name, t.id)));
    els.messages.classList.toggle("all-topics", state.topic === null);
    const topic = topics.find((t) => t.id === state.topic);
    els.text.placeholder = isGroup() ? (topic ? `Message in ${topic.name}` : "Message in General") : "Message";
  }

  function addTopic(id, name) {
    const chat = currentChat();
    if (!chat || !chat.topics || chat.topics.some((t) => t.id === id)) return;
    chat.topics.push({ id, name });
    renderTopics();
    renderChatHead();
  }

  function topicName(id) {
    const chat = currentChat();
    const topic = chat && chat.topics ? chat.topics.find((t) => t.id === id) : null;
    return topic ? topic.name : "";
  }

  // A topic shows its own messages; "All" shows every message, each with its topic's name.
  function applyTopic() {
    els.messages.querySelectorAll(".row[data-id]").forEach((row) => {
      const thread = row.dataset.thread ? Number(row.dataset.thread) : null;
      row.hidden = state.topic !== null && thread !== state.topic;
    });
    scrollToEnd(true);
  }

  function startReply(m) {
    state.replyTo = m.id;
    if (m.thread_id != null && state.topic !== null && state.topic !== m.thread_id) { state.topic = m.thread_id; renderTopics(); applyTopic(); }
    renderReplying();
    els.text.focus();
  }

  function renderReplying() {
    const m = state.replyTo != null ? state.byId.get(state.replyTo) : null;
    els.replying.hidden = !m;
    if (m) els.replyingText.textContent = `${senderName(m)}: ${snippet(m)}`;
  }

  function senderName(m) { return m.from_bot ? state.bot.name : (m.sender && m.sender.name) || ""; }
  function snippet(m) {
    const text = m.text ?? m.caption ?? (m.photo ? "photo" : m.document ? m.document.name : "");
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  }

  // ---- people ----------------------------------------------------------------------

  function renderPeople() {
    els.people.replaceChildren(...state.people.map((p) => {
      const button = el("button", { type: "button", className: "person", dataset: { person: p.slug } });
      if (p.slug === state.person) { button.classList.add("active"); button.setAttribute("aria-current", "true"); }
      button.append(avatar(p), el("span", { className: "person-text" },
        el("span", { className: "person-name", textContent: p.name }),
        el("span", { className: "person-role", textContent: p.role })));
      if (state.unread.has(p.slug)) button.append(el("span", { className: "badge", title: "new messages" }));
      button.addEventListener("click", () => switchTo(p.slug));
      return button;
    }));
    const me = state.people.find((p) => p.slug === state.person);
    if (me) els.me.replaceChildren(el("span", { className: "me-label", textContent: "you are" }), avatar(me), el("span", { textContent: me.name }));
  }

  function avatar(person) {
    return el("span", { className: `avatar person-avatar avatar-${person.slug}`, textContent: person.name[0], ariaHidden: "true" });
  }

  function switchTo(slug) {
    if (slug === state.person) return;
    state.person = slug;
    state.chat = null;  // a person starts in their chat with the bot
    state.unreadChats.clear();
    hideMenu();
    if (!act({ type: "switch", person: slug })) return;
    els.text.focus();
  }

  // ---- messages ----------------------------------------------------------------------

  function emptyChat() {
    if (isGroup()) return el("div", { className: "empty", id: "empty" }, el("p", { textContent: "No messages here yet." }));
    return el("div", { className: "empty", id: "empty" },
      el("p", { textContent: "No messages here yet." }),
      el("button", { type: "button", className: "start-button", textContent: "START", onclick: () => sendText("/start") }));
  }

  function upsertMessage(m, isNew) {
    if (m.chat_id != null && state.chat != null && m.chat_id !== state.chat) return;
    state.byId.set(m.id, m);
    if (m.topic_created && m.thread_id != null) addTopic(m.thread_id, m.topic_created);
    const existing = els.messages.querySelector(`[data-id="${m.id}"]`);
    const row = renderMessage(m);
    if (m.thread_id != null) row.dataset.thread = String(m.thread_id);
    row.hidden = state.topic !== null && m.thread_id !== state.topic;
    if (existing) {
      // An edit can grow the newest message (a role ticked, a breakdown redrawn).
      const nearEnd = isNearEnd();
      existing.replaceWith(row);
      scrollToEnd(nearEnd);
    } else if (isNew) {
      $("empty")?.remove();
      const nearEnd = isNearEnd();
      els.messages.append(row);
      scrollToEnd(nearEnd || !m.from_bot);
      row.querySelectorAll("img").forEach((img) => img.addEventListener("load", () => scrollToEnd(nearEnd || !m.from_bot), { once: true }));
    }
    if (m.from_bot) clearTyping();
  }

  function removeMessage(id) {
    els.messages.querySelector(`[data-id="${id}"]`)?.remove();
  }

  function renderMessage(m) {
    if (m.successful_payment) {
      const paid = money(m.successful_payment.currency, m.successful_payment.total_amount);
      return el("div", { className: "row service", dataset: { id: m.id } },
        el("span", { className: "service-pill", textContent: `You paid ${paid}` }));
    }
    if (m.topic_created) {
      return el("div", { className: "row service", dataset: { id: m.id } },
        el("span", { className: "service-pill", textContent: `${state.bot.name} opened the topic “${m.topic_created}”` }));
    }
    const group = isGroup();
    const isMine = group ? !m.from_bot && m.sender && m.sender.id === myId() : !m.from_bot;
    const row = el("div", { className: `row ${isMine ? "me" : m.from_bot ? "bot" : "other"}`, dataset: { id: m.id } });
    const bubble = el("div", { className: "bubble" });
    if (group && !isMine) bubble.append(el("div", { className: "sender", textContent: senderName(m) }));
    if (group && m.thread_id != null) bubble.append(el("div", { className: "topic-tag", textContent: `# ${topicName(m.thread_id)}` }));
    if (group && m.reply_to != null) {
      const replied = state.byId.get(m.reply_to);
      bubble.append(el("div", { className: "quote", textContent: replied ? `${senderName(replied)}: ${snippet(replied)}` : "a message" }));
    }
    if (m.photo) { bubble.classList.add("has-photo"); bubble.append(photo(m.photo)); }
    if (m.document) bubble.append(documentCard(m.document));
    if (m.sticker) { bubble.classList.add("has-sticker"); bubble.append(el("div", { className: "sticker", textContent: m.sticker.emoji, title: "sticker" })); }
    if (m.invoice) { bubble.classList.add("has-invoice"); bubble.append(invoiceCard(m)); }
    const text = m.text ?? m.caption;
    if (text) bubble.append(el("div", { className: "text" }, formatted(text, m.text != null ? m.entities : m.caption_entities)));
    bubble.append(el("span", { className: "meta" },
      m.edit_date ? el("span", { className: "edited", textContent: "edited" }) : "",
      el("time", { textContent: clock(m.date) })));
    if (group) {
      const reply = el("button", { type: "button", className: "reply-button", textContent: "Reply", title: "Reply to this message" });
      reply.addEventListener("click", () => startReply(m));
      bubble.append(reply);
    }
    const column = el("div", { className: "column" }, bubble);
    if (m.inline_keyboard) column.append(inlineKeyboard(m));
    row.append(column);
    return row;
  }

  function photo(p) {
    const img = el("img", { src: p.url, alt: "photo", loading: "eager", decoding: "async" });
    if (p.width && p.height) { img.width = p.width; img.height = p.height; }
    return el("a", { className: "photo", href: p.url, target: "_blank", rel: "noopener", title: "Open full size" }, img);
  }

  function documentCard(d) {
    return el("a", { className: "document", href: d.url, download: d.name, title: "Download" },
      el("span", { className: "doc-icon", ariaHidden: "true" }, svgIcon("M5 20h14v-2H5v2zM19 9h-4V3H9v6H5l7 7 7-7z")),
      el("span", { className: "doc-text" },
        el("span", { className: "doc-name", textContent: d.name }),
        el("span", { className: "doc-size", textContent: size(d.size) })));
  }

  function invoiceCard(m) {
    const inv = m.invoice;
    const pay = el("button", { type: "button", className: "pay", textContent: inv.is_paid ? "Paid" : `Pay ${money(inv.currency, inv.total_amount)}` });
    pay.disabled = inv.is_paid;
    pay.addEventListener("click", () => payInvoice(m.id, pay, inv));
    return el("div", { className: "invoice" },
      el("div", { className: "invoice-label", textContent: inv.currency === "XTR" ? "Invoice · Telegram Stars" : "Invoice · test card" }),
      el("div", { className: "invoice-title", textContent: inv.title }),
      el("div", { className: "invoice-description", textContent: inv.description }),
      el("div", { className: "invoice-total", textContent: money(inv.currency, inv.total_amount) }),
      pay,
      el("div", { className: "invoice-note", textContent: "Sandbox payment: no money moves." }));
  }

  function payInvoice(id, button, inv) {
    button.disabled = true;
    button.textContent = "Paying…";
    act({ type: "pay", message_id: id }, {
      error: (text) => {
        button.disabled = false;
        button.textContent = `Pay ${money(inv.currency, inv.total_amount)}`;
        showToast(text, true);
      },
    });
  }

  function markPaid(id) {
    const button = els.messages.querySelector(`[data-id="${id}"] .pay`);
    if (button) { button.disabled = true; button.textContent = "Paid"; button.classList.add("paid"); }
  }

  function inlineKeyboard(m) {
    const kb = el("div", { className: "inline-kb" });
    m.inline_keyboard.forEach((row) => {
      const line = el("div", { className: "kb-row" });
      row.forEach((b) => line.append(inlineButton(m, b)));
      kb.append(line);
    });
    return kb;
  }

  function inlineButton(m, b) {
    const button = el("button", { type: "button", className: "kb-button", textContent: b.text });
    if (b.callback_data !== undefined) {
      button.addEventListener("click", () => {
        button.classList.add("pressed");
        act({ type: "press", message_id: m.id, data: b.callback_data }, {
          done: () => button.classList.remove("pressed"),
          error: (text) => { button.classList.remove("pressed"); showToast(text, true); },
        });
      });
    } else if (b.url) {
      button.classList.add("link");
      button.title = b.url;
      button.addEventListener("click", () => window.open(b.url, "_blank", "noopener"));
    } else if (b.pay) {
      button.addEventListener("click", () => payInvoice(m.id, button, m.invoice));
    } else if (b.copy_text) {
      button.addEventListener("click", () => navigator.clipboard?.writeText(b.copy_text.text).then(() => showToast("Copied")));
    } else {
      button.disabled = true;
      button.title = "This kind of button does nothing in the sandbox";
    }
    return button;
  }

  function addNotice(text) {
    els.messages.append(el("div", { className: "row service notice" }, el("span", { className: "service-pill", textContent: text })));
    scrollToEnd(isNearEnd());
  }

  // ---- formatted text: Telegram entities (offsets in UTF-16 units, as JS strings) ---

  function formatted(text, entities) {
    const sorted = [...(entities || [])].sort((a, b) => a.offset - b.offset || b.length - a.length);
    const fragment = document.createDocumentFragment();
    appendRange(fragment, text, 0, text.length, sorted);
    return fragment;
  }

  function appendRange(parent, text, start, end, entities) {
    let at = start;
    let i = 0;
    while (i < entities.length) {
      const e = entities[i];
      const eEnd = Math.min(e.offset + e.length, end);
      if (e.offset < at || e.offset >= end) { i++; continue; }
      appendPlain(parent, text.slice(at, e.offset));
      const inner = [];
      let j = i + 1;
      while (j < entities.length && entities[j].offset < eEnd) inner.push(entities[j++]);
      const node = entityNode(e, text.slice(e.offset, eEnd));
      appendRange(node, text, e.offset, eEnd, inner);
      parent.append(node);
      at = eEnd;
      i = j;
    }
    appendPlain(parent, text.slice(at, end));
  }

  function entityNode(e, inner) {
    switch (e.type) {
      case "bold": return el("strong");
      case "italic": return el("em");
      case "underline": return el("u");
      case "strikethrough": return el("s");
      case "code": return el("code");
      case "pre": return el("pre");
      case "blockquote": case "expandable_blockquote": return el("blockquote");
      case "spoiler": { const s = el("span", { className: "spoiler", title: "Show" }); s.addEventListener("click", () => s.classList.add("shown")); return s; }
      case "text_link": return el("a", { href: e.url, target: "_blank", rel: "noopener" });
      case "url": return el("a", { href: /^https?:/i.test(inner) ? inner : `https://${inner}`, target: "_blank", rel: "noopener" });
      case "bot_command": return commandLink(inner);
      default: return el("span");
    }
  }

  // Telegram apps link URLs and /commands in plain text; so does the page.
  const AUTO = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])|(^|[\s(])(\/[a-z0-9_]{1,32})(?![\w/])/gi;

  function appendPlain(parent, text) {
    if (!text) return;
    if (parent.closest && parent.closest("a, code, pre")) { parent.append(text); return; }
    let at = 0;
    for (const match of text.matchAll(AUTO)) {
      const start = match.index + (match[2] ? match[2].length : 0);
      parent.append(text.slice(at, start));
      if (match[1]) parent.append(el("a", { href: match[1], target: "_blank", rel: "noopener", textContent: match[1] }));
      else parent.append(commandLink(match[3], match[3]));
      at = match.index + match[0].length;
    }
    parent.append(text.slice(at));
  }

  function commandLink(command, label) {
    const a = el("a", { href: "#", className: "command", textContent: label || "" });
    a.addEventListener("click", (event) => { event.preventDefault(); sendText(command.split("@")[0]); });
    return a;
  }

  // ---- reply keyboard and command menu -----------------------------------------------

  function setKeyboard(keyboard) {
    state.keyboard = keyboard && keyboard.keyboard ? keyboard : null;
    if (keyboard && keyboard.keyboard) state.isKeyboardHidden = false;
    els.text.placeholder = (state.keyboard && state.keyboard.input_field_placeholder) || "Message";
    renderKeyboard();
  }

  function renderKeyboard() {
    const kb = state.keyboard;
    els.keyboardToggle.hidden = !kb;
    els.keyboard.hidden = !kb || state.isKeyboardHidden;
    els.keyboardToggle.classList.toggle("active", !!kb && !state.isKeyboardHidden);
    if (!kb) { els.keyboard.replaceChildren(); return; }
    els.keyboard.replaceChildren(...kb.keyboard.map((row) => el("div", { className: "kb-row" },
      ...row.map((b) => {
        const text = typeof b === "string" ? b : b.text;
        const button = el("button", { type: "button", className: "kb-button", textContent: text });
        button.addEventListener("click", () => {
          sendText(text);
          if (kb.one_time_keyboard) { state.isKeyboardHidden = true; renderKeyboard(); }
        });
        return button;
      }))));
  }

  function renderMenu(filter = "") {
    const commands = state.commands.filter((c) => `/${c.command}`.startsWith(filter));
    els.menuButton.hidden = !state.commands.length;
    els.menu.replaceChildren(...commands.map((c) => {
      const item = el("button", { type: "button", className: "menu-item", role: "menuitem" },
        el("span", { className: "menu-command", textContent: `/${c.command}` }),
        el("span", { className: "menu-description", textContent: c.description }));
      item.addEventListener("click", () => { hideMenu(); sendText(`/${c.command}`); });
      return item;
    }));
    if (!commands.length) hideMenu();
  }

  function toggleMenu() {
    if (els.menu.hidden) { renderMenu(); els.menu.hidden = !state.commands.length; }
    else hideMenu();
  }

  function hideMenu() { els.menu.hidden = true; }

  // ---- what the person does ------------------------------------------------------------

  // In a group: into the topic shown (General when all are shown), as a reply when one is set.
  function where() {
    if (!isGroup()) return {};
    const place = {};
    if (state.topic !== null) place.thread_id = state.topic;
    if (state.replyTo !== null) place.reply_to = state.replyTo;
    return place;
  }

  function sendText(text) {
    text = text.trim();
    if (!text) return;
    act({ type: "send", text, ...where() });
    state.replyTo = null;
    renderReplying();
    els.text.focus();
  }

  els.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = els.text.value;
    if (!text.trim()) return;
    els.text.value = "";
    hideMenu();
    sendText(text);
  });

  els.text.addEventListener("input", () => {
    const value = els.text.value;
    if (/^\/\w*$/.test(value) && state.commands.length) { renderMenu(value); els.menu.hidden = !els.menu.children.length; }
    else hideMenu();
  });

  els.text.addEventListener("keydown", (event) => { if (event.key === "Escape") hideMenu(); });
  els.menuButton.addEventListener("click", toggleMenu);
  els.keyboardToggle.addEventListener("click", () => { state.isKeyboardHidden = !state.isKeyboardHidden; renderKeyboard(); });
  document.addEventListener("click", (event) => {
    if (!els.menu.hidden && !els.menu.contains(event.target) && !els.menuButton.contains(event.target)) hideMenu();
  });

  els.replyingCancel.addEventListener("click", () => { state.replyTo = null; renderReplying(); els.text.focus(); });
  els.photoButton.addEventListener("click", () => els.photo.click());
  els.documentButton.addEventListener("click", () => els.document.click());
  els.stickerButton.addEventListener("click", () => act({ type: "sticker", emoji: "👍" }));
  els.document.addEventListener("change", () => {
    const file = els.document.files[0];
    els.document.value = "";
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      const data = String(reader.result).split(",", 2)[1] || "";
      const caption = els.text.value.trim();
      els.text.value = "";
      act({ type: "document", data, file_name: file.name, mime_type: file.type || "application/octet-stream", caption });
    };
    reader.readAsDataURL(file);
  });

  els.photo.addEventListener("change", () => {
    const file = els.photo.files[0];
    els.photo.value = "";
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      const data = String(reader.result).split(",", 2)[1] || "";
      const caption = els.text.value.trim();
      els.text.value = "";
      act({ type: "photo", data, caption, ...where() });
      state.replyTo = null;
      renderReplying();
    };
    reader.readAsDataURL(file);
  });

  const demoLabel = document.getElementById("demo-label");
  if (demoLabel) demoLabel.addEventListener("click", async (event) => {
    event.preventDefault();
    const response = await fetch("/sandbox/demo-label.jpg", { cache: "no-store" });
    if (!response.ok) { setStatus("no demo label yet: run cccp seed-demo"); return; }
    const reader = new FileReader();
    reader.onload = () => act({ type: "photo", data: String(reader.result).split(",", 2)[1] || "", caption: "" });
    reader.readAsDataURL(await response.blob());
  });

  els.deeplinkForm.addEventListener("submit", (event) => {
    event.preventDefault();
    els.deeplinkError.hidden = true;
    act({ type: "deep_link", link: els.deeplink.value }, {
      done: () => { els.deeplink.value = ""; },
      error: (text) => { els.deeplinkError.textContent = text; els.deeplinkError.hidden = false; },
    });
  });

  document.querySelectorAll("[data-deeplink]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    els.deeplink.value = a.dataset.deeplink;
    els.deeplinkForm.requestSubmit();
  }));

  document.querySelectorAll("[data-send]").forEach((a) => a.addEventListener("click", (event) => {
    event.preventDefault();
    sendText(a.dataset.send);
  }));

  // ---- small things ------------------------------------------------------------------

  function setStatus(text) { els.botStatus.textContent = text; }

  function showTyping(action) {
    setStatus(action === "upload_photo" ? "sending a photo…" : action === "upload_document" ? "sending a file…" : "typing…");
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(clearTyping, 5000);  // Telegram shows an action for 5 s
  }

  function clearTyping() {
    clearTimeout(state.typingTimer);
    if (state.ws && state.ws.readyState === WebSocket.OPEN) renderChatHead();
  }

  let toastTimer = null;
  function showToast(text, isError = false) {
    els.toast.textContent = text;
    els.toast.classList.toggle("error", isError);
    els.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { els.toast.hidden = true; }, isError ? 5000 : 2500);
  }

  function showAlert(text) {
    els.alertText.textContent = text;
    if (els.alert.showModal) els.alert.showModal(); else showToast(text);
  }

  function isNearEnd() {
    const m = els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 120;
  }

  function scrollToEnd(force) {
    if (force) { els.messages.scrollTop = els.messages.scrollHeight; state.isPinned = true; }
  }

  // The reply keyboard or the command menu opening shrinks the message list without a
  // scroll event: without this the answer that brought the keyboard hides behind it.
  els.messages.addEventListener("scroll", () => { state.isPinned = isNearEnd(); }, { passive: true });
  if (window.ResizeObserver) {
    new ResizeObserver(() => { if (state.isPinned) els.messages.scrollTop = els.messages.scrollHeight; }).observe(els.messages);
  }

  function clock(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function money(currency, amount) {
    if (currency === "XTR") return `★ ${amount.toLocaleString()}`;
    try {
      const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
      const digits = format.resolvedOptions().maximumFractionDigits;
      return format.format(amount / 10 ** digits);
    } catch {
      return `${(amount / 100).toFixed(2)} ${currency}`;
    }
  }

  function size(bytes) {
    if (bytes == null) return "";
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function svgIcon(path) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    const p = document.createElementNS(ns, "path");
    p.setAttribute("fill", "currentColor");
    p.setAttribute("d", path);
    svg.append(p);
    return svg;
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "ariaHidden") node.setAttribute("aria-hidden", value);
      else node[key] = value;
    }
    for (const child of children) if (child !== "" && child != null) node.append(child);
    return node;
  }

  connect();
})();
