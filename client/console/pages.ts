import type { Catalogue, ModelEntry } from '../../schema/catalogue';
import type { Plan } from '../../schema/plan';
import type { AttemptProgress, ConsistencyCheck, Progress, SceneProgress, Wait } from '../../schema/progress';
import { finishedStatuses } from '../../schema/progress';
import { modelsText } from '../generation-client';
import { sceneStatusOf } from '../scene-status';
import { gateRelease } from './gate-release';
import { form, h, layout, usd, type Markup } from './markup';
import { keyframeImage, latestKeyframe, storyboardSection } from './storyboard';
import { unseenNote } from './unseen-note';

/** One generation in the list: what the visibility query gives, plus what its progress adds while it runs. */
export interface ListedGeneration {
  id: string;
  status: string;
  done: number;
  total: number;
  costUsd: number;
  /** Null when it could not be read (no worker answered, or the run closed without a final state). */
  limitUsd: number | null;
  waitingFor: string | null;
  startTime: Date;
}

/** Where a generation's files and its Web UI page are, as the browser reaches them. */
export interface PageLinks {
  /** The URL the browser loads a stored file from, or null when it is not in the console's storage. */
  file(path: string): string | null;
  webUi: string | null;
}

/**
 * What a generation page shows beyond its progress: the run's plan (prompts, group descriptions,
 * scene durations), null when it could not be read, and its model's catalogue entry (prices).
 */
export interface PlanFacts {
  plan: Plan | null;
  model: ModelEntry | undefined;
  /** The paid scorers' prices (CLIP), when the console has a catalogue. */
  scorers?: Catalogue['scorers'];
}

/** A page drawn from progress alone. */
const noFacts: PlanFacts = { plan: null, model: undefined };

/** What each kind of wait needs, said in the console's terms: in the list, and on the generation's own page. */
const consoleAnswers: Record<'list' | 'page', Record<Wait['kind'], string>> = {
  list: {
    approval: 'a gate decision on {ids} (approve or reject it on its page)',
    budget: 'money for {ids} (raise or set the budget on its page)',
    operator: 'an operator for {ids} (retry or skip the scene on its page)',
    drift: 'a decision on drifted scene {ids} (keep or remake it on its page)',
    storyboard: 'the storyboard of {ids} (release it, or redo a keyframe, on its page)',
  },
  page: {
    approval: 'a gate decision on {ids} (Approve or Reject beside the clip)',
    budget: 'money for {ids} (raise or set the budget below)',
    operator: 'an operator for {ids} (retry or skip the scene below)',
    drift: 'a decision on drifted scene {ids} (Keep or Remake in the consistency grid)',
    storyboard: 'the storyboard of {ids} (Release, or Redo a keyframe, in the storyboard strip)',
  },
};

/** `a gate decision on s1 (…); money for s2, s3 (…)`, or null when nothing waits. */
export function waitsInConsoleTerms(waits: readonly Wait[], where: 'list' | 'page' = 'list'): string | null {
  if (waits.length === 0) return null;
  return waits.map((w) => consoleAnswers[where][w.kind].replace('{ids}', w.sceneIds.join(', '))).join('; ');
}

const needsPerson = new Set(['awaiting_approval', 'awaiting_budget', 'awaiting_ops']);

const badge = (status: string): Markup =>
  h`<span class="badge ${needsPerson.has(status) ? 'needs' : finishedStatuses.includes(status as never) ? 'ended' : 'busy'}">${status.replaceAll('_', ' ')}</span>`;

// ---- the list

export function listRows(rows: ListedGeneration[], needsMe: boolean, webUiOf: (id: string) => string | null): Markup {
  if (rows.length === 0) {
    return h`<p class="empty">${needsMe ? 'Nothing waits for a person right now.' : 'No generations yet. Start one with npx scenegate generate examples/plans/product-ad.json.'}</p>`;
  }
  return h`<table class="generations">
  <thead><tr><th>Generation</th><th>Status</th><th>Scenes</th><th>Cost / limit</th><th>Waiting for</th><th>Started</th><th></th></tr></thead>
  <tbody>${rows.map(
    (r) => h`<tr data-id="${r.id}">
    <td><a href="/generations/${encodeURIComponent(r.id)}">${r.id}</a></td>
    <td>${badge(r.status)}</td>
    <td class="num">${r.done}/${r.total}</td>
    <td class="num">${usd(r.costUsd)} / ${r.limitUsd === null ? '–' : usd(r.limitUsd)}</td>
    <td class="wait">${r.waitingFor ?? ''}</td>
    <td><time datetime="${r.startTime.toISOString()}">${r.startTime.toISOString().slice(0, 19).replace('T', ' ')} UTC</time></td>
    <td>${webUiOf(r.id) ? h`<a href="${webUiOf(r.id)}" target="_blank" rel="noopener">Web UI</a>` : ''}</td>
  </tr>`
  )}</tbody>
</table>`;
}

export function listPage(rows: ListedGeneration[], needsMe: boolean, webUiOf: (id: string) => string | null): Markup {
  return layout(
    'Generations',
    h`<nav class="filters">
  <a href="/" class="${needsMe ? '' : 'on'}">All</a>
  <a href="/?needs=me" class="${needsMe ? 'on' : ''}">Needs me</a>
</nav>
<section data-live="${needsMe ? '/live?needs=me' : '/live'}">
  <div data-key="rows">${listRows(rows, needsMe, webUiOf)}</div>
</section>`
  );
}

// ---- one generation

const clip = (path: string | null, links: PageLinks, label: string): Markup => {
  if (!path) return h`<div class="noclip">no clip</div>`;
  const src = links.file(path);
  if (!src) return h`<div class="noclip">clip on the worker: <code>${path}</code></div>`;
  return h`<video src="${src}" controls preload="auto" muted playsinline aria-label="${label}"></video>`;
};

const score = (value: number | null, threshold: number): Markup =>
  value === null
    ? h`<span class="score">not scored</span>`
    : h`<span class="score ${value >= threshold ? 'pass' : 'miss'}">score ${value.toFixed(3)} ${value >= threshold ? '≥' : '<'} ${threshold}</span>`;

/** A finished generation's video and contact sheet, under the keys assembly stores them at. */
function finalLinks(p: Progress, links: PageLinks): Markup {
  if (p.status !== 'succeeded' && p.status !== 'partial') return h``;
  const video = links.file(`${p.generationId}/final.mp4`);
  const sheet = links.file(`${p.generationId}/contact-sheet.png`);
  if (!video || !sheet) return h``;
  return h`<a href="${video}" class="final">The final video</a> · <a href="${sheet}">its contact sheet</a> · `;
}

function head(p: Progress, links: PageLinks): Markup {
  return h`<h1>${p.generationId} ${badge(p.status)}</h1>
<p class="summary">${p.totals.done} of ${p.totals.scenes} scenes done${p.totals.failed ? `, ${p.totals.failed} failed` : ''}${p.totals.skipped ? `, ${p.totals.skipped} skipped` : ''} · ${usd(p.budget.spentUsd)} spent of ${usd(p.budget.limitUsd)}${p.budget.reservedUsd > 0 ? ` (${usd(p.budget.reservedUsd)} reserved)` : ''} · ${modelsText(p)} · ${p.strategy.mode}${p.strategy.mode === 'sequential' ? '' : ` ×${p.strategy.concurrency}`}</p>
${p.waitingOn.length ? h`<p class="waiting">Waiting for ${waitsInConsoleTerms(p.waitingOn, 'page')}</p><p class="detail">In the workflow's words (for the Temporal CLI and Web UI): ${p.waitingFor}</p>` : ''}
<p class="links">${finalLinks(p, links)}${links.webUi ? h`<a href="${links.webUi}" target="_blank" rel="noopener">Open in the Temporal Web UI</a>` : ''}</p>`;
}

/** A scene's prompt from the plan, as the model was asked. */
function promptOf(plan: Plan | null, sceneId: string): Markup {
  const prompt = plan?.scenes.find((s) => s.id === sceneId)?.prompt;
  return prompt ? h`<p class="prompt"><span>Prompt</span> ${prompt}</p>` : h``;
}

/** An attempt's state in words: a keyframe waiting on the open storyboard is not running, though its clip is still to come. */
function attemptState(a: AttemptProgress, p: Progress, sceneId: string): string {
  const onBoard = p.storyboard?.status === 'open' && p.storyboard.sceneIds.includes(sceneId);
  return a.status === 'running' && onBoard && a.keyframePath && !a.clipPath ? 'keyframe on the storyboard' : a.status;
}

function attemptCard(a: AttemptProgress, p: Progress, links: PageLinks, sceneId: string): Markup {
  // with keyframes first the gate judges the keyframe: until its clip is made, the keyframe is what a person decides on
  const media =
    !a.clipPath && a.keyframePath
      ? keyframeImage(a.keyframePath, links, `keyframe of scene ${sceneId}, attempt ${a.attempt}`)
      : clip(a.clipPath, links, `scene ${sceneId} attempt ${a.attempt}`);
  return h`<figure class="attempt ${a.status}">
  ${media}
  <figcaption>attempt ${a.attempt} · strength ${a.strength} · ${attemptState(a, p, sceneId)}<br />${score(a.score, p.gate.threshold)}${unseenNote(p, sceneId, a, 'clip')}${a.costUsd === null ? '' : ` · ${usd(a.costUsd)}`}${a.note ? h`<br /><span class="note">${a.note}</span>` : ''}</figcaption>
</figure>`;
}

/** Each consistency group's reference images, with its kind and its description from the plan. */
function referenceGroups(p: Progress, plan: Plan | null, links: PageLinks): Markup[] {
  const groups = [...new Set(p.references.map((r) => r.groupId))];
  return groups.map((groupId) => {
    const refs = p.references.filter((r) => r.groupId === groupId);
    const description = plan?.consistencyGroups.find((g) => g.id === groupId)?.description;
    return h`<figure class="reference" data-group="${groupId}">
      <div class="images">${refs.map((r) => {
        const src = links.file(r.path);
        return src ? h`<img src="${src}" alt="reference for ${groupId}" />` : h`<code>${r.path}</code>`;
      })}</div>
      <figcaption><strong>${groupId}</strong> (${refs[0]!.kind})${description ? h`<span class="description">${description}</span>` : ''}</figcaption>
    </figure>`;
  });
}

/** What approving lets go, said beside the decision: which scenes and what their first attempts may cost. */
function releaseSummary(p: Progress, facts: PlanFacts): Markup {
  const release = gateRelease(p, facts.plan ?? { scenes: [], gate: {} }, facts.model, facts.scorers);
  if (release.sceneIds.length === 0) {
    const latest = p.scenes.find((s) => s.isGateScene)?.history.at(-1);
    const judged = latest?.keyframePath && !latest.clipPath ? 'keyframe' : 'clip';
    return h`<p class="release">Approving keeps this ${judged}; no other scene waits for the gate.</p>`;
  }
  const count = `${release.sceneIds.length} scene${release.sceneIds.length === 1 ? '' : 's'}`;
  const cost =
    facts.plan && release.estimateUsd !== null
      ? h`, estimated at most <strong class="estimate">${usd(release.estimateUsd)}</strong> at one attempt each (${usd(release.roomUsd)} of the budget left${release.estimateUsd > release.roomUsd + 1e-9 ? '; the run will wait for more money' : ''})`
      : h` (no estimate: ${facts.plan ? `model ${p.model} is not in this console's catalogue` : "the run's plan could not be read"})`;
  const after = release.otherGateScenes.length
    ? ` once gate scene${release.otherGateScenes.length === 1 ? '' : 's'} ${release.otherGateScenes.join(', ')} pass${release.otherGateScenes.length === 1 ? 'es' : ''}`
    : '';
  return h`<p class="release">Approving releases ${release.sceneIds.join(', ')}${after}: ${count}${cost}.</p>`;
}

function gateSection(p: Progress, links: PageLinks, facts: PlanFacts): Markup {
  if (p.gate.status === 'disabled') return h``;
  const ended = finishedStatuses.includes(p.status);
  const awaiting = !ended && p.gate.status === 'awaiting_approval';
  const scenes = p.scenes.filter((s) => s.isGateScene);
  // a run that ended waits for nobody, whatever its gate last said
  const gateStatus =
    ended && p.gate.status === 'awaiting_approval' ? 'not decided' : p.gate.status.replaceAll('_', ' ');
  return h`<h2>Consistency gate <span class="gate-status">${gateStatus}</span></h2>
<div class="gate">
  <div class="references">
    <h3>References</h3>
    ${p.references.length === 0 ? h`<p class="empty">not prepared yet</p>` : ''}
    ${referenceGroups(p, facts.plan, links)}
  </div>
  <div class="gate-attempts">
    ${
      // the decision comes first, beside the references and above the newest clip, so it is in view without scrolling
      awaiting
        ? h`${releaseSummary(p, facts)}<div class="decide">
      ${form('approve', `/generations/${encodeURIComponent(p.generationId)}/approve`, h`<input name="note" placeholder="note (optional)" />`, 'Approve')}
      ${form('reject', `/generations/${encodeURIComponent(p.generationId)}/reject`, h`<input name="reason" placeholder="what is wrong" required />`, 'Reject', 'danger')}
    </div>`
        : ''
    }
    ${scenes.map(
      (s) =>
        h`<h3>Scene ${s.id}</h3>${promptOf(facts.plan, s.id)}<div class="attempts">${s.history
          .slice()
          .reverse()
          .map((a) => attemptCard(a, p, links, s.id))}</div>`
    )}
  </div>
</div>`;
}

/** What the latest check of a scene led to, in the grid's words. */
const checkOutcome: Record<ConsistencyCheck['outcome'], string> = {
  kept: 'passed',
  regenerated: 'drifted: made again',
  awaiting: 'drifted: keep or remake?',
  approved: 'drifted: kept by a person',
  rejected: 'drifted: rejected, made again',
  flagged: 'drifted: flagged',
};

/** The attempt a check scored. */
const checkedAttempt = (p: Progress, check: ConsistencyCheck | undefined): AttemptProgress | undefined =>
  check && p.scenes.find((s) => s.id === check.sceneId)?.history.find((a) => a.attempt === check.attempt);

/**
 * What a scene's latest check scored, small, beside the references' columns: the clip's first
 * frame, or the keyframe for a keyframe check. `preload="metadata"` loads the first frame without
 * holding a connection per row for the whole clip.
 */
function checkedClip(p: Progress, sceneId: string, check: ConsistencyCheck | undefined, links: PageLinks): Markup {
  const attempt = checkedAttempt(p, check);
  if (!attempt) return h``;
  const title = `attempt ${attempt.attempt} of ${sceneId}: open its card`;
  if (check?.of === 'keyframe' && attempt.keyframePath) {
    const src = links.file(attempt.keyframePath);
    if (!src) return h``;
    return h`<a href="#scene-${sceneId}" title="${title}"><img class="keyframe" src="${src}" alt="checked keyframe of ${sceneId}, attempt ${attempt.attempt}" /></a>`;
  }
  const src = attempt.clipPath ? links.file(attempt.clipPath) : null;
  if (!src) return h``;
  return h`<a href="#scene-${sceneId}" title="${title}"><video src="${src}" preload="metadata" muted playsinline aria-label="checked clip of ${sceneId}, attempt ${attempt.attempt}"></video></a>`;
}

/**
 * The reference a group was compared with, by its plan source: the nth image of the group in the
 * plan is the nth of its prepared copies (progress keeps their storage keys, not their sources).
 * Without the plan, or a source it does not list, the group's first reference.
 */
function comparedReference(p: Progress, plan: Plan | null, groupId: string, source: string): string | undefined {
  const copies = p.references.filter((r) => r.groupId === groupId);
  const nth = plan?.consistencyGroups.find((g) => g.id === groupId)?.referenceImages.indexOf(source) ?? -1;
  return (copies[nth] ?? copies[0])?.path;
}

/**
 * Where a cell's group was seen: the frame it scored lowest in (the clip at `lowestFrameSec`, as
 * the browser seeks a media fragment; the keyframe itself for a keyframe check) beside the
 * reference it was compared with.
 */
function seenFrame(
  p: Progress,
  plan: Plan | null,
  check: ConsistencyCheck,
  groupId: string,
  links: PageLinks
): Markup | null {
  const seen = check.frames?.[groupId];
  if (!seen) return null;
  const attempt = checkedAttempt(p, check);
  const label = `${check.sceneId} attempt ${check.attempt}`;
  let frame: Markup = h``;
  if (check.of === 'keyframe' && attempt?.keyframePath) {
    const src = links.file(attempt.keyframePath);
    if (src) frame = h`<img class="frame" src="${src}" alt="keyframe of ${label}" />`;
  } else if (attempt?.clipPath) {
    const src = links.file(attempt.clipPath);
    const at = seen.lowestFrameSec;
    if (src) {
      frame = h`<video class="frame" src="${at === undefined ? src : `${src}#t=${at}`}" preload="metadata" muted playsinline aria-label="${label}${at === undefined ? '' : ` at ${at} s`}, lowest for ${groupId}"></video>`;
    }
  }
  const refPath = comparedReference(p, plan, groupId, seen.source);
  const refSrc = refPath ? links.file(refPath) : null;
  const where =
    seen.framesWithSubject === undefined || seen.framesSampled === undefined
      ? ''
      : check.of === 'keyframe'
        ? ''
        : `in ${seen.framesWithSubject} of ${seen.framesSampled} frames`;
  const when = seen.lowestFrameSec === undefined || check.of === 'keyframe' ? '' : `lowest at ${seen.lowestFrameSec} s`;
  return h`<div class="seen">${frame}${refSrc ? h`<img class="ref" src="${refSrc}" alt="compared with ${seen.source}" title="${seen.source}" />` : ''}</div><small>${[when, where].filter(Boolean).join(' · ')}</small>`;
}

/** A grid cell: the group's score against the threshold, or that it was not seen at all (not a low score). */
function gridCell(
  p: Progress,
  plan: Plan | null,
  check: ConsistencyCheck | undefined,
  groupId: string,
  threshold: number,
  links: PageLinks
): Markup {
  const value = check?.byGroup[groupId];
  if (!check || value === undefined) return h`<td class="cell none">–</td>`;
  const seen = check.frames?.[groupId];
  const frame = seenFrame(p, plan, check, groupId, links);
  if (seen?.framesWithSubject === 0) {
    const where = check.of === 'keyframe' ? 'in the keyframe' : `in any of ${seen.framesSampled ?? 0} frames`;
    return h`<td class="cell absent" data-group="${groupId}"><span class="value">not found ${where}</span>${frame ?? ''}</td>`;
  }
  const pass = value >= threshold;
  if (!frame) return h`<td class="cell ${pass ? 'pass' : 'miss'}" data-group="${groupId}">${value.toFixed(3)}</td>`;
  return h`<td class="cell ${pass ? 'pass' : 'miss'}" data-group="${groupId}"><span class="value">${value.toFixed(3)}</span>${frame}</td>`;
}

/** A scene the check has not scored: a gate scene the gate judged instead says so, with its verdict. */
function uncheckedOutcome(p: Progress, id: string): string {
  const judged = p.gate.scores.findLast((s) => s.sceneId === id);
  if (!judged) return 'not checked yet';
  const verdict = judged.score >= p.gate.threshold ? '≥' : '<';
  return `judged by the gate: ${judged.score.toFixed(3)} ${verdict} ${p.gate.threshold} (attempt ${judged.attempt})`;
}

/**
 * The consistency check as a scene × entity grid: each checked scene's latest score per
 * consistency group against the threshold, with the group's reference in the column head, where
 * the group was seen (frame beside reference) when the scorer says, and Keep / Remake beside a
 * scene that drifted and waits for a person.
 */
function consistencySection(p: Progress, links: PageLinks, plan: Plan | null): Markup {
  const c = p.consistency;
  if (!c) return h``;
  const ended = finishedStatuses.includes(p.status);
  const groups = [...new Set(p.references.map((r) => r.groupId))];
  const latest = new Map(c.checks.map((check) => [check.sceneId, check]));
  const base = `/generations/${encodeURIComponent(p.generationId)}/scenes`;
  const head = groups.map((g) => {
    const ref = p.references.find((r) => r.groupId === g)!;
    const src = links.file(ref.path);
    return h`<th scope="col">${src ? h`<img src="${src}" alt="reference for ${g}" />` : ''}<br />${g}</th>`;
  });
  const rows = c.sceneIds.map((id) => {
    const check = latest.get(id);
    const cells = groups.map((g) => gridCell(p, plan, check, g, c.threshold, links));
    const asking = !ended && check?.outcome === 'awaiting';
    return h`<tr data-scene="${id}"><th scope="row"><a href="#scene-${id}">${id}</a></th><td class="clip">${checkedClip(p, id, check, links)}</td>${cells}<td class="outcome">${check ? `${checkOutcome[check.outcome]} (attempt ${check.attempt})` : uncheckedOutcome(p, id)}${
      asking
        ? h`<div class="decide">${form(`keep-${id}`, `${base}/${encodeURIComponent(id)}/approve-scene`, h`<input name="note" placeholder="note (optional)" />`, 'Keep')}${form(`remake-${id}`, `${base}/${encodeURIComponent(id)}/reject-scene`, h`<input name="reason" placeholder="what is wrong" required />`, 'Remake', 'danger')}</div>`
        : ''
    }</td></tr>`;
  });
  return h`<h2>Consistency of every scene <span class="gate-status">threshold ${c.threshold}, on drift: ${c.onDrift}</span></h2>
<table class="consistency-grid">
  <thead><tr><th scope="col">Scene</th><th scope="col">Checked ${c.checks.some((k) => k.of === 'keyframe') ? 'clip or keyframe' : 'clip'}</th>${head}<th scope="col">Check</th></tr></thead>
  <tbody>${rows}</tbody>
</table>
${c.driftedScenes.length ? h`<p class="error">Drifted scenes in the video: ${c.driftedScenes.join(', ')}</p>` : ''}`;
}

/** A scene's clip; without one yet, its latest keyframe (`pipeline: keyframe`). */
function sceneMedia(s: SceneProgress, links: PageLinks): Markup {
  const keyframe = s.clipPath ? undefined : latestKeyframe(s);
  return keyframe?.keyframePath
    ? keyframeImage(keyframe.keyframePath, links, `keyframe of scene ${s.id}, attempt ${keyframe.attempt}`)
    : clip(s.clipPath, links, `scene ${s.id}`);
}

function sceneCard(s: SceneProgress, p: Progress, links: PageLinks): Markup {
  const ended = finishedStatuses.includes(p.status);
  const operable = !ended && (s.status === 'awaiting_ops' || s.status === 'failed');
  const base = `/generations/${encodeURIComponent(p.generationId)}/scenes/${encodeURIComponent(s.id)}`;
  return h`<article class="scene ${s.status}" id="scene-${s.id}">
  <h3>${s.index}. ${s.id} ${badge(sceneStatusOf(s, p))}</h3>
  ${sceneMedia(s, links)}
  <p>${s.attempts} attempt${s.attempts === 1 ? '' : 's'} · ${usd(s.costUsd)} · strength ${s.strength}${s.isGateScene ? h` · ${score(s.score, p.gate.threshold)}` : ''}</p>
  ${s.lastError && s.status !== 'succeeded' ? h`<p class="error">${s.lastError}</p>` : ''}
  ${
    operable
      ? h`<div class="ops">
    ${form(`retry-${s.id}`, `${base}/retry`, h`<input name="prompt" placeholder="new prompt (optional)" /><input name="strength" type="number" min="0" max="1" step="0.05" placeholder="strength" />`, 'Retry')}
    ${form(`skip-${s.id}`, `${base}/skip`, h``, 'Skip', '', `Skip scene ${s.id}? The video is made without it.`)}
  </div>`
      : ''
  }
  <div class="answers" data-answers></div>
</article>`;
}

function budgetSection(p: Progress): Markup {
  if (finishedStatuses.includes(p.status)) return h``;
  const action = `/generations/${encodeURIComponent(p.generationId)}`;
  return h`<div class="budget">
  <h2>Budget</h2>
  ${form('raise', `${action}/budget`, h`<input type="hidden" name="mode" value="raise" /><label>Raise by $ <input name="amountUsd" type="number" min="0.01" step="0.01" required /></label>`, 'Raise')}
  ${form('set', `${action}/budget`, h`<input type="hidden" name="mode" value="set" /><label>Set the limit to $ <input name="limitUsd" type="number" min="0" step="0.01" required /></label>`, 'Set')}
  ${form('cancel', `${action}/cancel`, h``, 'Cancel the generation', 'danger cancel', `Cancel ${p.generationId}? Its predictions in flight are cancelled and it cannot be resumed.`)}
</div>`;
}

/**
 * The parts of a generation page, by key: the page renders them all, and the live stream
 * sends the ones that changed, so a playing clip elsewhere on the page keeps playing.
 */
export function generationSections(p: Progress, links: PageLinks, facts: PlanFacts = noFacts): Record<string, Markup> {
  return {
    head: head(p, links),
    storyboard: storyboardSection(p, links, facts.plan, facts),
    gate: gateSection(p, links, facts),
    consistency: consistencySection(p, links, facts.plan),
    budget: budgetSection(p),
    ...Object.fromEntries(p.scenes.map((s) => [`scene-${s.id}`, sceneCard(s, p, links)])),
  };
}

export function generationPage(p: Progress, links: PageLinks, facts: PlanFacts): Markup {
  const parts = generationSections(p, links, facts);
  const part = (key: string): Markup => h`<div data-key="${key}">${parts[key]}</div>`;
  return layout(
    p.generationId,
    h`<section data-live="/generations/${encodeURIComponent(p.generationId)}/live?at=${encodeURIComponent(p.updatedAt)}">
  ${part('head')}
  ${
    // money comes before the long parts of the page, where a person paused for it finds it
    part('budget')
  }
  ${part('storyboard')}
  ${part('gate')}
  ${part('consistency')}
  <h2>Scenes</h2>
  <div class="scenes">${p.scenes.map((s) => part(`scene-${s.id}`))}</div>
</section>`
  );
}

export function messagePage(title: string, message: string): Markup {
  return layout(title, h`<h1>${title}</h1><p>${message}</p><p><a href="/">All generations</a></p>`);
}
