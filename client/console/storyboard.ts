import type { Plan } from '../../schema/plan';
import type { AttemptProgress, Progress, SceneProgress } from '../../schema/progress';
import { finishedStatuses } from '../../schema/progress';
import { keyframesStillComing } from '../../workflows/rules/storyboard';
import { sceneStatusOf } from '../scene-status';
import { form, h, usd, type Markup } from './markup';
import type { PageLinks, PlanFacts } from './pages';
import { storyboardRelease } from './storyboard-release';
import { unseenNote } from './unseen-note';

/** The attempt whose keyframe a scene shows: its latest that made one. */
export function latestKeyframe(s: Pick<SceneProgress, 'history'>): AttemptProgress | undefined {
  return s.history.findLast((a) => a.keyframePath !== undefined);
}

/** A keyframe image from storage, or where it is when the console cannot serve it. */
export function keyframeImage(path: string, links: PageLinks, label: string): Markup {
  const src = links.file(path);
  if (!src) return h`<div class="noclip">keyframe on the worker: <code>${path}</code></div>`;
  return h`<img class="keyframe" src="${src}" alt="${label}" />`;
}

/** An image that opens its full-size file in a new tab: the strip draws them small. */
function fullSize(src: string, img: Markup): Markup {
  return h`<a class="full-size" href="${src}" target="_blank" rel="noopener">${img}</a>`;
}

/** A keyframe attempt's score: its keyframe check's, else the gate's (the gate judges keyframes); null before either. */
function attemptScore(p: Progress, sceneId: string, attempt: number) {
  const of = (c: { sceneId: string; attempt: number }) => c.sceneId === sceneId && c.attempt === attempt;
  const check = p.consistency?.checks.findLast((c) => of(c) && c.of === 'keyframe');
  if (check)
    return {
      value: check.score,
      threshold: p.consistency!.threshold,
      by: 'check',
      how: 'checked against its references',
    };
  const gate = p.gate.scores.findLast(of);
  return gate ? { value: gate.score, threshold: p.gate.threshold, by: 'gate', how: 'judged by the gate' } : null;
}

/** The score of the attempt whose keyframe is shown: a redone keyframe has none until it is scored itself. */
function keyframeScore(p: Progress, sceneId: string, shown: AttemptProgress | undefined): Markup {
  const score = shown && attemptScore(p, sceneId, shown.attempt);
  if (!score) return h`<span class="score">not scored yet</span>`;
  const pass = score.value >= score.threshold;
  return h`<span class="score ${pass ? 'pass' : 'miss'}" title="attempt ${shown.attempt}'s keyframe, ${score.how}">${score.by} ${score.value.toFixed(3)} ${pass ? '≥' : '<'} ${score.threshold}</span>${unseenNote(p, sceneId, shown, 'keyframe')}`;
}

/** The references of the groups a scene shows (all of them without the plan), small. */
function sceneReferences(p: Progress, plan: Plan | null, sceneId: string, links: PageLinks): Markup {
  const entities = plan?.scenes.find((s) => s.id === sceneId)?.entities;
  const refs = p.references.filter((r) => !entities || entities.includes(r.groupId));
  return h`<div class="refs">${refs.map((r) => {
    const src = links.file(r.path);
    return src ? fullSize(src, h`<img src="${src}" alt="reference for ${r.groupId}" title="${r.groupId}" />`) : '';
  })}</div>`;
}

/** A card's picture: its keyframe, opening full size; once animated, the clip that starts from it. */
function cardMedia(s: SceneProgress, links: PageLinks): Markup {
  const latest = latestKeyframe(s);
  const clipSrc = s.clipPath ? links.file(s.clipPath) : null;
  const keyframeSrc = latest?.keyframePath ? links.file(latest.keyframePath) : null;
  if (clipSrc) {
    return h`<video src="${clipSrc}"${keyframeSrc ? h` poster="${keyframeSrc}"` : ''} controls preload="metadata" muted playsinline aria-label="clip of ${s.id}"></video>`;
  }
  if (!latest?.keyframePath) return h`<div class="noclip">no keyframe yet</div>`;
  const img = keyframeImage(latest.keyframePath, links, `keyframe of ${s.id}, attempt ${latest.attempt}`);
  return keyframeSrc ? fullSize(keyframeSrc, img) : img;
}

/** One scene's card; `onBoard` while its keyframe waits on the open storyboard (and can be redone). */
function frameCard(s: SceneProgress, p: Progress, plan: Plan | null, links: PageLinks, onBoard: boolean): Markup {
  const latest = latestKeyframe(s);
  const prompt = plan?.scenes.find((x) => x.id === s.id)?.prompt;
  const action = `/generations/${encodeURIComponent(p.generationId)}/scenes/${encodeURIComponent(s.id)}/redo-keyframe`;
  return h`<li class="frame ${s.status}" data-scene="${s.id}">
  <h3>${s.index}. ${s.id} <span class="step">${onBoard ? 'on the storyboard' : sceneStatusOf(s, p).replaceAll('_', ' ')}</span></h3>
  ${cardMedia(s, links)}
  <p class="facts">${latest ? `attempt ${latest.attempt} · strength ${latest.strength} · ` : ''}${keyframeScore(p, s.id, latest)}</p>
  ${sceneReferences(p, plan, s.id, links)}
  ${prompt ? h`<p class="prompt">${prompt}</p>` : ''}
  ${
    onBoard
      ? form(
          `redo-${s.id}`,
          action,
          h`<input name="reason" placeholder="what is wrong" required />`,
          'Redo',
          'danger redo'
        )
      : ''
  }
  <div class="answers" data-answers-for="redo-${s.id}"></div>
</li>`;
}

/** What a release pays for, said beside its button: the clips of the keyframes on the storyboard, and their estimate. */
function releaseCost(p: Progress, plan: Plan | null, prices: Partial<Pick<PlanFacts, 'model' | 'scorers'>>): Markup {
  const release = storyboardRelease(p, plan ?? { scenes: [], gate: {} }, prices.model, prices.scorers);
  const n = release.sceneIds.length;
  if (n === 0) return h``;
  const clips = `${release.sceneIds.join(', ')}: ${n} clip${n === 1 ? '' : 's'}`;
  // unlike the gate's release, no budget room is compared: the clips' money was reserved with their keyframes
  const cost =
    release.clipsUsd === null
      ? h`, on money reserved when their keyframes started.`
      : h`, estimated at most <strong class="estimate">${usd(release.clipsUsd)}</strong>, reserved when their keyframes started.`;
  const checks = release.scoresUsd > 0 ? ` Their CLIP checks add at most ${usd(release.scoresUsd)}.` : '';
  return h`<p class="release">Releasing animates ${clips}${cost}${checks}</p>`;
}

/**
 * The storyboard strip (`keyframe.storyboard: approve`): each scene's latest keyframe in plan
 * order beside its references, score and prompt; Redo on every keyframe waiting on it, and one
 * Release for all, with what it pays for (a number when `prices` has the model's catalogue entry,
 * and the paid scorers' for clips checked with CLIP). Once released it stays as the record, each
 * scene showing its clip when it has one.
 */
export function storyboardSection(
  p: Progress,
  links: PageLinks,
  plan: Plan | null,
  prices: Partial<Pick<PlanFacts, 'model' | 'scorers'>> = {}
): Markup {
  const board = p.storyboard;
  if (!board) return h``;
  const ended = finishedStatuses.includes(p.status);
  const open = board.status === 'open' && !ended;
  const waiting = new Set(board.sceneIds);
  // the workflow's own rule and words, so the button is disabled exactly when a click would be refused
  const coming = keyframesStillComing(p.scenes, board.sceneIds);
  const refusal = coming.length
    ? `keyframes are still being made for ${coming.join(', ')}; the storyboard can be released once they are on it`
    : board.sceneIds.length === 0
      ? 'no keyframe is on the storyboard'
      : '';
  const base = `/generations/${encodeURIComponent(p.generationId)}`;
  const state =
    board.status === 'released'
      ? `released${board.note ? `: ${board.note}` : ''}`
      : ended
        ? 'not released'
        : `open · ${board.sceneIds.length} of ${p.scenes.length} keyframes on it`;
  const release = open
    ? form(
        'release',
        `${base}/release`,
        h`<input name="note" placeholder="note (optional)" />`,
        'Release the storyboard',
        'release-storyboard',
        '',
        refusal
      )
    : '';
  const scenes = [...p.scenes].sort((a, b) => a.index - b.index);
  return h`<h2>Storyboard <span class="gate-status">${state}</span></h2>
<div class="storyboard">
  ${open ? releaseCost(p, plan, prices) : ''}
  ${release}
  <div class="answers" data-answers-for="release"></div>
  <ol class="strip">${scenes.map((s) => frameCard(s, p, plan, links, open && waiting.has(s.id)))}</ol>
</div>`;
}
