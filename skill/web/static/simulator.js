// The browser side of the simulator: sends what you say, plays Alexa's answer (speech
// through the browser's speech synthesis, silences as a visible countdown), and keeps the
// Alexa session like a device: the mic stays open about 8 s, then the reprompt, then 8 s more.
"use strict";

const params = new URLSearchParams(location.search);
const speed = Math.max(1, Number(params.get("speed")) || 1); // ?speed=20 for quick demos and tests
const LISTEN_MS = 8000; // the mic stays open about 8 s whatever the speed
const WORDS_PER_SECOND = 2.5;
const synth = speed === 1 && "speechSynthesis" in window ? window.speechSynthesis : null;

const $ = (id) => document.getElementById(id);
let session = null;
let generation = 0; // bumps whenever the user speaks: stale playback and timers stop

function note(text) { append("note", text); }

function append(kind, content) {
  const item = document.createElement("li");
  item.className = kind;
  if (typeof content === "string") item.textContent = content;
  else item.append(...content);
  $("transcript").append(item);
  item.scrollIntoView({ block: "nearest" });
  return item;
}

function alexaLine(speech) {
  const parts = [];
  for (const moment of speech) {
    if ("say" in moment) parts.push(document.createTextNode(moment.say + " "));
    else {
      const pause = document.createElement("span");
      pause.className = "silence";
      pause.textContent = `${moment.silence} s`;
      parts.push(pause, document.createTextNode(" "));
    }
  }
  return append("alexa", parts);
}

function sleep(ms) { return new Promise((done) => setTimeout(done, ms)); }

function status(text, listening = false) {
  $("status").textContent = text;
  $("status").classList.toggle("listening", listening);
}

async function speak(text, mine) {
  const estimate = (text.split(/\s+/).length / WORDS_PER_SECOND) * 1000 / speed;
  if (!synth) return sleep(estimate);
  await new Promise((done) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.onend = utterance.onerror = done;
    synth.speak(utterance);
    setTimeout(done, estimate * 2 + 2000); // never hang on a voice that does not report its end
  });
  if (mine !== generation) synth.cancel();
}

async function countdown(seconds, mine) {
  $("countdown").hidden = false;
  for (let left = seconds; left > 0; left--) {
    if (mine !== generation) break;
    $("countdown-seconds").textContent = String(left);
    await sleep(1000 / speed);
  }
  $("countdown-seconds").textContent = "0";
  $("countdown").hidden = true;
}

async function play(speech, mine) {
  status("Alexa is speaking…");
  for (const moment of speech) {
    if (mine !== generation) return false;
    if ("say" in moment) await speak(moment.say, mine);
    else await countdown(moment.silence, mine);
  }
  return mine === generation;
}

function showScreen(screen) {
  if (!screen) return;
  $("screen-title").textContent = screen.title;
  $("screen-subtitle").textContent = screen.subtitle;
  $("screen-body").textContent = screen.body;
  $("countdown-label").textContent = screen.holdSeconds ? "Hold" : "Pause";
}

async function listen(reprompt, mine) {
  status("Listening…", true);
  await sleep(LISTEN_MS);
  if (mine !== generation) return;
  alexaLine(reprompt);
  if (!(await play(reprompt, mine))) return;
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
  showScreen(reply.screen);
  if (reply.speech.length) alexaLine(reply.speech);
  if (!(await play(reply.speech, mine))) return;
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
