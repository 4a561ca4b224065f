/**
 * `work`, or a rejection with `message` once `ms` have passed without an answer: amqplib's calls to the broker have no
 * deadline of their own, and a blocked broker (a memory or disk alarm) answers nothing.
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
