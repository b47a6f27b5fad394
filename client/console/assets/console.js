// The console's only script: actions posted in place, and live parts replaced as they change.
'use strict';

/** What each form last answered, shown again when the part holding the form is redrawn. */
const answers = new Map();

function showAnswer(form) {
  const answer = answers.get(form.id);
  const output = form.querySelector('output');
  if (!answer || !output) return;
  output.textContent = answer.message;
  output.className = answer.ok ? 'ok' : 'refused';
}

document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains('action')) return;
  event.preventDefault();
  // irreversible actions ask first
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const part = form.closest('[data-key]');
  const button = form.querySelector('button');
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { 'x-scenegate-action': '1', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)),
    });
    const answer = await response.json().catch(() => ({ ok: false, message: `HTTP ${response.status}` }));
    answers.set(form.id, answer);
  } catch (err) {
    answers.set(form.id, { ok: false, message: `the console did not answer: ${err.message}` });
  } finally {
    if (button) {
      button.disabled = false;
      // a redraw held back while the form was in use happens now
      button.blur();
    }
  }
  if (form.isConnected || !part) showAnswer(form);
  else keepAnswers(part, [form.id]);
});

// a value the browser refuses (an empty or negative amount) stops the submit before the handler
// above; without this the refusal was only the browser's bubble, gone in a moment or never seen
document.addEventListener(
  'invalid',
  (event) => {
    const input = event.target;
    const form = input.form;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('action')) return;
    answers.set(form.id, { ok: false, message: `${input.name}: ${input.validationMessage}` });
    showAnswer(form);
  },
  true
);

/** Parts not redrawn while someone types in them; drawn when they leave. */
const pending = new Map();

function draw(part, html) {
  const active = document.activeElement;
  // a form in use is not redrawn under the person (a click would land on a detached button)
  if (active && part.contains(active) && active.matches('input, textarea, button')) {
    pending.set(part, html);
    return;
  }
  pending.delete(part);
  const answered = [...part.querySelectorAll('form.action, output[data-for]')]
    .map((el) => el.id || el.dataset.for)
    .filter((formId) => answers.has(formId));
  const clips = new Map([...part.querySelectorAll('video[src]')].map((v) => [v.getAttribute('src'), v]));
  part.innerHTML = html;
  keepClips(part, clips);
  for (const form of part.querySelectorAll('form.action')) showAnswer(form);
  keepAnswers(part, answered);
}

/**
 * A clip the redraw shows again keeps its element: a new element loads the clip again, and until
 * its first frame is decoded (or for good, when the browser has no connection left for it beside
 * the clips it already holds) it is a black box; the old one keeps its frame and position.
 */
function keepClips(part, clips) {
  for (const fresh of part.querySelectorAll('video[src]')) {
    const kept = clips.get(fresh.getAttribute('src'));
    if (!kept) continue;
    clips.delete(fresh.getAttribute('src'));
    const playing = !kept.paused;
    fresh.replaceWith(kept);
    // taking it out of the page paused it
    if (playing) kept.play().catch(() => {});
  }
}

/** An answer whose form a redraw removed (an approved gate has no Approve form) stays where the form was. */
function keepAnswers(part, formIds) {
  for (const formId of formIds) {
    if (part.querySelector(`form#${CSS.escape(formId)}`)) continue;
    const answer = answers.get(formId);
    const output = document.createElement('output');
    output.dataset.for = formId;
    output.className = answer.ok ? 'ok' : 'refused';
    output.textContent = answer.message;
    // in the card the form was in, where the part marks a place for it: prepended to a scene's
    // part, the answer pushed its card below its neighbours in the grid
    // a slot marked for this form (the storyboard has one per Redo, and one for Release) comes first
    const slot =
      part.querySelector(`[data-answers-for="${CSS.escape(formId)}"]`) ?? part.querySelector('[data-answers]');
    if (slot) slot.append(output);
    else part.prepend(output);
  }
}

document.addEventListener('focusout', (event) => {
  for (const [part, html] of pending) {
    const staying = event.relatedTarget instanceof Node && part.contains(event.relatedTarget);
    if (part.contains(event.target) && !staying) queueMicrotask(() => draw(part, html));
  }
});

for (const section of document.querySelectorAll('[data-live]')) {
  const events = new EventSource(section.dataset.live);
  events.addEventListener('update', (event) => {
    const parts = JSON.parse(event.data);
    for (const [key, html] of Object.entries(parts)) {
      const part = section.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (part) draw(part, html);
    }
    document.body.dataset.updated = String(Date.now());
  });
  events.addEventListener('live', () => (document.body.dataset.live = 'on'));
  // the browser reconnects by itself; until then the page may be behind
  events.addEventListener('error', () => (document.body.dataset.live = 'off'));
}
