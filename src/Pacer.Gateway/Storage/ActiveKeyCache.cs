using System.Collections.Concurrent;

namespace Pacer.Gateway.Storage;

/// <summary>
/// Active managed keys recently found, by the hash of their secret, so that a caller's requests do not each read the
/// store. An entry lives <see cref="Lifetime"/> at most, so that a key revoked by another process sharing the file is
/// refused soon; a change made through this process (create, revoke) clears every entry at once. Unknown keys are not
/// remembered: a key issued elsewhere works on its first request, and guessed keys cannot fill the cache.
/// </summary>
internal sealed class ActiveKeyCache(TimeProvider timeProvider)
{
    /// <summary>How long a found key is trusted without reading the store again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    // Far above the keys one gateway issues; reaching it only means starting over.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _generation;

    /// <summary>Gets the number of the latest change; take it before reading the store, and give it to <see cref="Add"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Gets the key cached under <paramref name="hash"/>, or null when none is or it has lived its time.</summary>
    public ManagedKey? Find(string hash) =>
        _entries.TryGetValue(hash, out var entry) && timeProvider.GetElapsedTime(entry.FoundAt) < Lifetime ? entry.Key : null;

    /// <summary>
    /// Caches <paramref name="key"/>, found in the store after <paramref name="generation"/> was read; nothing when a
    /// change has happened since, as the key read may already be revoked.
    /// </summary>
    public void Add(string hash, ManagedKey key, long generation)
    {
        lock (_gate)
        {
            if (generation != _generation)
            {
                return;
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[hash] = new Entry(key, timeProvider.GetTimestamp());
        }
    }

    /// <summary>Forgets every key; called after each change to the keys, once the store has it.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
        }
    }

    private readonly record struct Entry(ManagedKey Key, long FoundAt);
}
