/**
 * `work`, or a rejection with `message` once `ms` have passed without an answer: a deadline for calls that have none
 * of their own (amqplib's calls to a broker that a memory or disk alarm has blocked, a readiness check).
 */
export async function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
