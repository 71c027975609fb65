// The coding widget's view (anywidget front-end module; the logic and the files are on the Python side).
// Offsets are body offsets in code points (Python str indices), read from the runs' data-start.

const WORDS = {
  th: {search: "ค้นหารหัส (ไทย/English)…", recent: "ใช้ล่าสุด (กด 1–9)", undo: "↶ ย้อนกลับ", redo: "↷ ทำซ้ำ",
       others: "แสดงรหัสของผู้อื่น", coder: "ผู้ลงรหัส", selected: "ที่เลือก", none: "ยังไม่ได้เลือกข้อความ",
       memo: "บันทึกช่วยจำ", save: "บันทึก", selection: "ข้อความที่เลือก", turn: "ช่วงคำพูด",
       transcript: "ทั้งบทสัมภาษณ์", remove: "ลบ", here: "รหัสตรงนี้", by: "โดย"},
  en: {search: "Search codes (Thai/English)…", recent: "Recent (keys 1–9)", undo: "↶ Undo", redo: "↷ Redo",
       others: "Show other coders", coder: "Coder", selected: "Selected", none: "No text selected",
       memo: "Memo", save: "Save", selection: "selection", turn: "turn", transcript: "whole transcript",
       remove: "Remove", here: "Codes here", by: "by"},
};

const cp = (s) => Array.from(s).length;

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "style") Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function render({ model, el }) {
  const w = () => WORDS[model.get("lang")] || WORDS.en;
  const send = (msg) => model.send(msg);
  let detailAt = null;  // the body offset last clicked, whose codings are listed

  const root = h("div", {class: "sw-root", tabindex: "0", "data-lm-suppress-shortcuts": "true"});
  const coder = h("input", {class: "sw-coder", type: "text"});
  const transcript = h("select", {class: "sw-transcript"});
  const lang = h("button", {class: "sw-lang"});
  const others = h("input", {type: "checkbox", class: "sw-others"});
  const othersLabel = h("label", {}, others, h("span"));
  const undo = h("button", {class: "sw-undo"});
  const redo = h("button", {class: "sw-redo"});
  const status = h("div", {class: "sw-status", role: "status"});
  const text = h("div", {class: "sw-text"});
  const search = h("input", {class: "sw-search", type: "search"});
  const selected = h("div", {class: "sw-selected"});
  const recent = h("div", {class: "sw-recent"});
  const list = h("div", {class: "sw-codes"});
  const details = h("div", {class: "sw-details"});
  const memoTarget = h("select", {class: "sw-memo-target"});
  const memo = h("textarea", {class: "sw-memo", rows: "3"});
  const memoSave = h("button", {class: "sw-memo-save"});
  const palette = h("div", {class: "sw-palette"}, selected, search, h("div", {class: "sw-recent-title"}),
                    recent, list, details,
                    h("div", {class: "sw-memo-box"}, h("b", {class: "sw-memo-title"}), memoTarget, memo, memoSave));
  root.append(h("div", {class: "sw-bar"}, h("span", {class: "sw-coder-label"}), coder, transcript, lang,
                othersLabel, undo, redo), status, h("div", {class: "sw-main"}, text, palette));
  el.append(root);

  // -- the text ------------------------------------------------------------------------------

  function spansOf(turn) {
    const shown = model.get("codings").filter((c) => c.segment_id === turn.id);
    const cuts = new Set([turn.start, turn.end]);
    const sel = model.get("selection");
    const edges = shown.filter((c) => c.start !== null).flatMap((c) => [c.start, c.end]);
    if (sel.start !== undefined) edges.push(sel.start, sel.end);
    for (const x of edges) if (x > turn.start && x < turn.end) cuts.add(x);
    return {shown, cuts: [...cuts].sort((a, b) => a - b), sel};
  }

  function renderTurn(turn) {
    const {shown, cuts, sel} = spansOf(turn);
    const chars = Array.from(turn.text);
    const body = h("div", {class: "sw-body"});
    for (let i = 0; i + 1 < cuts.length; i++) {
      const [a, b] = [cuts[i], cuts[i + 1]];
      const over = shown.filter((c) => c.start !== null && c.start <= a && b <= c.end);
      const run = h("span", {class: "sw-run", "data-start": a, "data-end": b});
      run.textContent = chars.slice(a - turn.start, b - turn.start).join("");
      if (over.length) {
        run.classList.add("sw-hl");
        run.style.setProperty("--c", over[over.length - 1].colour);
        run.title = over.map((c) => `${c.code_id} ${c[model.get("lang")]} (${c.coder})`).join("\n");
        if (over.some((c) => !c.mine)) run.classList.add("sw-other");
      }
      if (sel.start !== undefined && sel.start <= a && b <= sel.end) run.classList.add("sw-sel");
      body.append(run);
    }
    const margin = h("div", {class: "sw-margin"});
    const seen = new Set();
    for (const c of shown) {
      if (seen.has(c.code_id + c.coder)) continue;
      seen.add(c.code_id + c.coder);
      margin.append(h("span", {class: "sw-stripe" + (c.mine ? "" : " sw-other") + (c.start === null ? " sw-whole" : ""),
                               style: {background: c.colour}, title: `${c.code_id} ${c[model.get("lang")]} (${c.coder})`,
                               "data-at": c.start === null ? turn.start : c.start}));
    }
    return h("div", {class: "sw-turn", "data-id": turn.id, "data-start": turn.start, "data-end": turn.end},
             margin, h("div", {class: "sw-speaker"}, turn.speaker), body);
  }

  function renderText() {
    const keep = text.scrollTop;
    const frag = document.createDocumentFragment();
    for (const turn of model.get("turns")) frag.append(renderTurn(turn));
    text.replaceChildren(frag);
    text.scrollTop = keep;
    restoreSelection();
    markGoto();
  }

  // The turn asked for (a passage opened from the retrieval table): marked, scrolled to once.
  let shownGoto = "";
  function markGoto() {
    const id = model.get("goto");
    const turn = id ? text.querySelector(`.sw-turn[data-id="${CSS.escape(id)}"]`) : null;
    if (!turn) return;
    turn.classList.add("sw-goto");
    if (shownGoto !== id) {
      shownGoto = id;
      requestAnimationFrame(() => turn.scrollIntoView({block: "center"}));
    }
  }

  // A DOM point (node, offset) -> body offset, from the runs' data-start (never from the text shown).
  function offsetOf(node, offset) {
    if (node.nodeType === Node.TEXT_NODE && node.parentElement.classList.contains("sw-run")) {
      return +node.parentElement.dataset.start + cp(node.data.slice(0, offset));
    }
    const point = document.createRange();
    point.setStart(node, offset);
    const runs = text.querySelectorAll(".sw-run");
    for (const run of runs) if (point.comparePoint(run, 0) >= 0) return +run.dataset.start;
    return runs.length ? +runs[runs.length - 1].dataset.end : 0;
  }

  function pointOf(at) {  // body offset -> DOM point, inside the run holding it
    for (const run of text.querySelectorAll(".sw-run")) {
      if (+run.dataset.start <= at && at <= +run.dataset.end && run.firstChild) {
        const chars = Array.from(run.firstChild.data).slice(0, at - +run.dataset.start);
        return [run.firstChild, chars.join("").length];
      }
    }
    return null;
  }

  function restoreSelection() {
    const sel = model.get("selection");
    if (sel.start === undefined) return;
    const [a, b] = [pointOf(sel.start), pointOf(sel.end)];
    if (!a || !b) return;
    const range = document.createRange();
    range.setStart(...a);
    range.setEnd(...b);
    const current = window.getSelection();
    current.removeAllRanges();
    current.addRange(range);
  }

  function selectionChanged() {
    const sel = window.getSelection();
    if (!sel.rangeCount || !text.contains(sel.anchorNode)) return;
    const range = sel.getRangeAt(0);
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    if (start === end) detailAt = start;
    send({type: "select", start, end});
    renderDetails();
  }

  text.addEventListener("mouseup", () => setTimeout(selectionChanged, 0));
  text.addEventListener("click", (e) => {
    const stripe = e.target.closest(".sw-stripe");
    if (stripe) { detailAt = +stripe.dataset.at; renderDetails(); }
  });

  // -- the palette ---------------------------------------------------------------------------

  function codeButton(code, key) {
    const label = `${key ? key + " · " : ""}${code.id} ${code[model.get("lang")]}`;
    return h("button", {class: "sw-code", "data-code": code.id, style: {borderLeftColor: code.colour},
                        title: `${code.th} / ${code.en}`, onclick: () => {
                          send({type: "apply", code_id: code.id});
                          root.focus({preventScroll: true});  // the list is redrawn: keys go on working
                        }},
             label);
  }

  function renderPalette() {
    const lang = model.get("lang");
    const query = search.value.trim().toLowerCase();
    const codes = model.get("codes");
    const byId = Object.fromEntries(codes.map((c) => [c.id, c]));
    recent.replaceChildren(...model.get("recent").filter((id) => byId[id])
      .map((id, i) => codeButton(byId[id], String(i + 1))));
    const hits = codes.filter((c) => !query || [c.id, c.th, c.en].some((s) => s.toLowerCase().includes(query)));
    list.replaceChildren(...hits.map((c) => codeButton(c)));
    const sel = model.get("selection");
    selected.replaceChildren(h("b", {}, w().selected + ": "),
      sel.start === undefined ? h("i", {}, w().none) : h("span", {class: "sw-quote"}, `«${sel.text}»`));
    root.querySelector(".sw-recent-title").textContent = w().recent;
    void lang;
  }

  function renderDetails() {
    if (detailAt === null) { details.replaceChildren(); return; }
    const turn = model.get("turns").find((t) => t.start <= detailAt && detailAt <= t.end);
    const here = model.get("codings").filter((c) => turn && c.segment_id === turn.id &&
      (c.start === null || (c.start <= detailAt && detailAt < c.end)));
    if (!here.length) { details.replaceChildren(); return; }
    details.replaceChildren(h("b", {}, w().here), ...here.map((c) => h("div", {class: "sw-detail"},
      h("span", {class: "sw-dot", style: {background: c.colour}}),
      `${c.code_id} ${c[model.get("lang")]} · ${w().by} ${c.coder}`,
      c.memo ? h("div", {class: "sw-detail-memo"}, c.memo) : "",
      c.mine ? h("button", {class: "sw-remove", onclick: () => send({type: "remove", id: c.id})}, w().remove) : "")));
  }

  // -- bar, memo, status ---------------------------------------------------------------------

  function renderBar() {
    const words = w();
    root.querySelector(".sw-coder-label").textContent = words.coder;
    if (document.activeElement !== coder) coder.value = model.get("coder");
    transcript.replaceChildren(...model.get("transcript_ids").map((id) => h("option", {value: id}, id)));
    transcript.value = model.get("transcript_id");
    lang.textContent = model.get("lang") === "th" ? "English" : "ไทย";
    others.checked = model.get("show_others");
    othersLabel.querySelector("span").textContent = " " + words.others;
    undo.textContent = words.undo;
    redo.textContent = words.redo;
    search.placeholder = words.search;
    root.querySelector(".sw-memo-title").textContent = words.memo;
    memoSave.textContent = words.save;
    memoTarget.replaceChildren(...["selection", "turn", "transcript"].map((t) => h("option", {value: t}, words[t])));
    memoTarget.value = model.get("memo_target");
  }

  function renderStatus() {
    const s = model.get("status");
    status.textContent = s.text || "";
    status.className = "sw-status" + (s.kind ? " sw-" + s.kind : "");
    status.title = s.detail || "";
  }

  const set = (name, value) => { model.set(name, value); model.save_changes(); };
  coder.addEventListener("change", () => set("coder", coder.value.trim()));
  transcript.addEventListener("change", () => set("transcript_id", transcript.value));
  lang.addEventListener("click", () => set("lang", model.get("lang") === "th" ? "en" : "th"));
  others.addEventListener("change", () => set("show_others", others.checked));
  memoTarget.addEventListener("change", () => set("memo_target", memoTarget.value));
  undo.addEventListener("click", () => send({type: "undo"}));
  redo.addEventListener("click", () => send({type: "redo"}));
  memoSave.addEventListener("click", () => send({type: "memo", text: memo.value}));
  search.addEventListener("input", renderPalette);
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && list.firstChild) list.firstChild.click();
  });

  root.addEventListener("keydown", (e) => {
    const typing = e.target.matches("input, textarea, select");
    const mod = e.ctrlKey || e.metaKey;
    if (mod && (e.key === "z" || e.key === "Z") && !typing) {
      send({type: e.shiftKey ? "redo" : "undo"});
    } else if (mod && e.key === "y" && !typing) {
      send({type: "redo"});
    } else if (!typing && !mod && /^[1-9]$/.test(e.key)) {
      const id = model.get("recent")[+e.key - 1];
      if (id) send({type: "apply", code_id: id});
    } else if (!typing && e.shiftKey && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
      const sel = window.getSelection();
      if (!sel.rangeCount || !text.contains(sel.anchorNode)) return;
      sel.modify("extend", e.key === "ArrowRight" ? "forward" : "backward", mod ? "word" : "character");
      selectionChanged();
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  });

  const listeners = [
    ["change:turns", renderText], ["change:codings", () => { renderText(); renderDetails(); }],
    ["change:selection", () => { renderText(); renderPalette(); }],
    ["change:codes", renderPalette], ["change:recent", renderPalette],
    ["change:lang", () => { renderBar(); renderPalette(); renderText(); renderDetails(); }],
    ["change:coder", renderBar], ["change:transcript_id", renderBar], ["change:show_others", renderBar],
    ["change:memo_target", renderBar], ["change:status", renderStatus], ["change:goto", renderText],
    ["change:memo_text", () => { memo.value = model.get("memo_text"); }],
  ];
  for (const [event, fn] of listeners) model.on(event, fn);
  renderBar();
  renderText();
  renderPalette();
  renderStatus();
  memo.value = model.get("memo_text");
  return () => { for (const [event, fn] of listeners) model.off(event, fn); };
}

export default { render };
