import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every second (details: what is being done), so a worker that
 * dies in the middle of a long step (an ffmpeg run, a download) is noticed within the
 * activity's heartbeat timeout and another worker takes over.
 *
 * The first beat comes after a second, not at once: the heartbeat timeout already runs from
 * the activity's start, and the SDK sends a first beat to the server straight away, so
 * beating at once would add one server write to every create and download, most of which end
 * within milliseconds (in a 200-scene run, about a third of the dev server's CPU).
 */
export async function whileHeartbeating<T>(doing: string, work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat({ doing }), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
