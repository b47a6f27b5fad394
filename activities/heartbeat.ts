import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every second (details: what is being done), so a worker that
 * dies in the middle of a long step (an ffmpeg run, a download) is noticed within the
 * activity's heartbeat timeout and another worker takes over.
 */
export async function whileHeartbeating<T>(doing: string, work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat({ doing });
  const timer = setInterval(() => ctx.heartbeat({ doing }), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
