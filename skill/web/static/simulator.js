// The browser side of the simulator: sends what you say or touch, and plays Alexa's answer
// as an Echo Show would. Speech goes through the browser's speech synthesis, silences last
// their seconds, and the screen shows the skill's own screen data: its cards, switched by
// the ticks of its screenplay, each anchored to a second of a silence in the speech. The
// Alexa session is kept like a device: the mic stays open about 8 s, then the reprompt,
// then 8 s more.
"use strict";

const params = new URLSearchParams(location.search);
const speed = Math.max(1, Number(params.get("speed")) || 1); // ?speed=20 for quick demos and tests
const LISTEN_MS = 8000; // the mic stays open about 8 s whatever the speed
const DEFAULT_WORDS_PER_SECOND = 2.5;
const synth = speed === 1 && "speechSynthesis" in window ? window.speechSynthesis : null;
const SVG = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);
let session = null;
let generation = 0; // bumps whenever the user speaks or touches: stale playback stops
let shownCard = null;

function note(text) { append("note", text); }

function append(kind, content) {
  const item = document.createElement("li");
  item.className = kind;
  if (typeof content === "string") item.textContent = content;
  else item.append(...content);
  $("transcript").append(item);
  scrollTranscript();
  return item;
}

// Only the transcript scrolls, never the page: the screen stays where it is.
function scrollTranscript() { $("transcript").scrollTop = $("transcript").scrollHeight; }

function sleep(ms) { return new Promise((done) => setTimeout(done, ms)); }

function status(text, listening = false) {
  $("status").textContent = text;
  $("status").classList.toggle("listening", listening);
}

async function speak(text, mine, wordsPerSecond) {
  const estimate = (text.split(/\s+/).length / wordsPerSecond) * 1000 / speed;
  if (!synth) return sleep(estimate);
  await new Promise((done) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.onend = utterance.onerror = done;
    synth.speak(utterance);
    setTimeout(done, estimate * 2 + 2000); // never hang on a voice that does not report its end
  });
  if (mine !== generation) synth.cancel();
}

// -- the screen: an AVG picture drawn as SVG, the card, the counter -------------------------

function avgItems(items, parent) {
  for (const item of items || []) {
    if (item.type === "group") {
      const group = document.createElementNS(SVG, "g");
      const px = item.pivotX || 0, py = item.pivotY || 0;
      const move = `translate(${(item.translateX || 0) + px} ${(item.translateY || 0) + py})`;
      const turn = `rotate(${item.rotation || 0}) scale(${item.scaleX ?? 1} ${item.scaleY ?? 1})`;
      group.setAttribute("transform", `${move} ${turn} translate(${-px} ${-py})`);
      if (item.opacity !== undefined) group.setAttribute("opacity", item.opacity);
      avgItems(item.items, group);
      parent.append(group);
    } else if (item.type === "path") {
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("d", item.pathData);
      path.setAttribute("fill", item.fill || "none");
      if (item.stroke) {
        path.setAttribute("stroke", item.stroke);
        path.setAttribute("stroke-width", item.strokeWidth ?? 1);
        path.setAttribute("stroke-linecap", item.strokeLineCap || "butt");
        path.setAttribute("stroke-linejoin", item.strokeLineJoin || "miter");
      }
      parent.append(path);
    }
  }
}

function picture(graphic) {
  const svg = document.createElementNS(SVG, "svg");
  const width = graphic.viewportWidth || graphic.width, height = graphic.viewportHeight || graphic.height;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", graphic.description || "");
  avgItems(graphic.items, svg);
  return svg;
}

function showCard(card, pictures) {
  shownCard = card;
  $("screen-state").textContent = card.state;
  $("screen-title").textContent = card.title;
  $("screen-meta").textContent = card.meta;
  $("screen-cue").textContent = card.cue;
  const graphic = pictures[card.picture];
  const drawing = graphic ? [picture(graphic)] : [];
  // as in the APL document: the picture beside the words, or small under them while counting
  $(card.counting ? "mini-picture" : "picture").replaceChildren(...drawing);
  $(card.counting ? "picture" : "mini-picture").replaceChildren();
  $("picture").hidden = !graphic || Boolean(card.counting);
  $("counter").hidden = !card.counting;
  $("visual").hidden = $("picture").hidden && $("counter").hidden;
  $("buttons").replaceChildren(...card.buttons.map((button) => {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = button.label;
    element.dataset.action = button.action;
    element.addEventListener("click", () => touch(button));
    return element;
  }));
}

function showTick(screen, tick) {
  const card = screen.cards[tick.card];
  if (card !== shownCard) showCard(card, screen.pictures);
  $("count").textContent = tick.count;
  $("count-label").textContent = tick.countLabel;
  $("count-detail").textContent = tick.detail;
  const filled = Math.max(0, tick.ring) * 100;
  $("ring-fill").setAttribute("stroke-dasharray", `${filled} 100`);
}

function ticksAt(screen, silence, second) {
  if (!screen) return;
  for (const tick of screen.ticks) {
    if (tick.silence === silence && tick.second === second) showTick(screen, tick);
  }
}

// -- playing a reply: speech and silences, the screen following the same timeline ----------

async function play(speech, screen, mine) {
  status("Alexa is speaking…");
  const wordsPerSecond = (screen && screen.wordsPerSecond) || DEFAULT_WORDS_PER_SECOND;
  ticksAt(screen, -1, 0);
  if (!speech.length) return mine === generation;
  const line = append("alexa", []);
  let silence = -1;
  for (const moment of speech) {
    if (mine !== generation) return false;
    if ("say" in moment) {
      line.append(moment.say + " ");
      scrollTranscript();
      await speak(moment.say, mine, wordsPerSecond);
      continue;
    }
    silence += 1;
    const pause = document.createElement("span");
    pause.className = "silence";
    pause.textContent = `${moment.silence} s`;
    line.append(pause, " ");
    scrollTranscript();
    for (let second = 1; second <= moment.silence; second++) {
      await sleep(1000 / speed);
      if (mine !== generation) return false;
      ticksAt(screen, silence, second);
    }
  }
  return mine === generation;
}

async function listen(reprompt, mine) {
  status("Listening…", true);
  await sleep(LISTEN_MS);
  if (mine !== generation) return;
  if (!(await play(reprompt, null, mine))) return;
  status("Listening…", true);
  await sleep(LISTEN_MS);
  if (mine !== generation) return;
  await turn({ action: "timeout" }, false);
  note("Alexa heard nothing and closed the session. Say \"open back stretches\" to come back.");
  status("Session closed");
}

async function turn(body, userSpoke = true) {
  const mine = userSpoke ? ++generation : generation;
  if (synth) synth.cancel();
  const response = await fetch("/simulator/turn", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, session }),
  });
  const reply = await response.json();
  if (!response.ok) { note(reply.error || "Something went wrong."); return; }
  session = reply.session;
  if (!userSpoke) return;
  if (!(await play(reply.speech, reply.screen, mine))) return;
  if (session) listen(reply.reprompt, mine);
  else status("Session closed");
}

function say(text) {
  text = text.trim();
  if (!text) return;
  append("user", text);
  if (!session && /^(alexa,? )?(open|start|launch|begin) back stretches$/i.test(text)) {
    turn({ action: "launch" });
  } else {
    turn({ action: "say", text });
  }
}

function touch(button) {
  append("touch", `Touched ${button.label}`);
  turn({ action: "touch", button: button.action });
}

$("start").addEventListener("click", () => say("Start my back stretches"));
$("open").addEventListener("click", () => say("Open back stretches"));
for (const chip of document.querySelectorAll(".chip")) {
  chip.addEventListener("click", () => say(chip.textContent));
}
$("say").addEventListener("submit", (event) => {
  event.preventDefault();
  say($("utterance").value);
  $("utterance").value = "";
});

const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
if (Recognition) {
  const mic = $("mic");
  mic.hidden = false;
  mic.addEventListener("click", () => {
    const recognition = new Recognition();
    recognition.lang = "en-US";
    recognition.onresult = (event) => say(event.results[0][0].transcript);
    recognition.onerror = () => status("Couldn't hear you; try typing instead.");
    recognition.start();
    status("Listening to your microphone…", true);
  });
}
