import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every second (details: what is being done), so a worker that
 * dies in the middle of a long step (an ffmpeg run, a download) is noticed within the
 * activity's heartbeat timeout and another worker takes over.
 *
 * The first beat comes after a second, not at once: the heartbeat timeout already runs from
 * the activity's start, and the SDK sends an activity's first heartbeat call to the server
 * unthrottled, so beating at once would add one server write to every create and download,
 * most of which end within milliseconds (in 200-scene bench runs, the dev server's CPU went
 * from 3.3-3.8 s to 2.0-2.7 s without them).
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
