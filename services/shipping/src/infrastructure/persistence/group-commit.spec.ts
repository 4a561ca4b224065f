import { GroupCommit } from './group-commit';

/** A commit function that records its batches and can be told to fail for some items. */
function recorder(failFor: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  let open = 0;
  let maxOpen = 0;
  const commit = async (items: readonly number[]): Promise<string[]> => {
    batches.push([...items]);
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    await new Promise((resolve) => setTimeout(resolve, 5));
    open -= 1;
    if (items.some(failFor)) throw new Error(`cannot write ${items.filter(failFor).join(',')}`);
    return items.map((item) => `done ${item}`);
  };
  return { commit, batches, maxOpen: () => maxOpen };
}

describe('group commit', () => {
  it('writes a lone item at once, in a batch of its own', async () => {
    const { commit, batches } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 10, maxConcurrent: 1 });
    await expect(group.submit(1)).resolves.toBe('done 1');
    expect(batches).toEqual([[1]]);
  });

  it('writes items submitted together in one batch, and answers each caller with its own result', async () => {
    const { commit, batches } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 10, maxConcurrent: 1 });
    const results = await Promise.all([1, 2, 3, 4].map((item) => group.submit(item)));
    expect(results).toEqual(['done 1', 'done 2', 'done 3', 'done 4']);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it('batches what piles up while a transaction is open, never more than maxBatch at once', async () => {
    const { commit, batches } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 3, maxConcurrent: 1 });
    const first = group.submit(0);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [1, 2, 3, 4, 5, 6, 7].map((item) => group.submit(item));
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
    expect(group.pending()).toBe(0);
  });

  it('keeps at most maxConcurrent transactions open', async () => {
    const { commit, maxOpen, batches } = recorder();
    const group = new GroupCommit(commit, { maxBatch: 2, maxConcurrent: 2 });
    await Promise.all(Array.from({ length: 12 }, (_, item) => group.submit(item)));
    expect(maxOpen()).toBe(2);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, item) => item));
  });

  it('writes the items of a failed batch one by one, so only the bad item fails', async () => {
    const { commit, batches } = recorder((item) => item === 2);
    const group = new GroupCommit(commit, { maxBatch: 10, maxConcurrent: 1 });
    const results = await Promise.allSettled([1, 2, 3].map((item) => group.submit(item)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'done 1' },
      { status: 'rejected', reason: new Error('cannot write 2') },
      { status: 'fulfilled', value: 'done 3' },
    ]);
    expect(batches).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('fails the whole batch at once, without writing item by item, when the database is down', async () => {
    const batches: number[][] = [];
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const group = new GroupCommit<number, string>(
      async (items) => {
        batches.push([...items]);
        throw refused;
      },
      { maxBatch: 10, maxConcurrent: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3].map((item) => group.submit(item)));
    expect(results).toEqual([1, 2, 3].map(() => ({ status: 'rejected', reason: refused })));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('rejects every item when the commit returns fewer results than items', async () => {
    const group = new GroupCommit<number, string>(async () => [], { maxBatch: 10, maxConcurrent: 1 });
    await expect(group.submit(1)).rejects.toThrow('commit returned 0 results for 1 items');
  });

  it('refuses a batch size or concurrency below one', () => {
    expect(() => new GroupCommit(async () => [], { maxBatch: 0, maxConcurrent: 1 })).toThrow(RangeError);
    expect(() => new GroupCommit(async () => [], { maxBatch: 1, maxConcurrent: 0 })).toThrow(RangeError);
  });
});
