using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Pacer.Cli.Run;

/// <summary>
/// A set of <c>custom_id</c>s kept as 128-bit hashes with a number each (the line they were first seen on), so that a
/// file of a million requests costs tens of megabytes, not the ids themselves.
/// </summary>
internal sealed class CustomIdSet
{
    private readonly Dictionary<UInt128, long> _ids = [];

    public int Count => _ids.Count;

    /// <summary>Adds an id; returns false and the number it was first added with when it is already there.</summary>
    public bool TryAdd(string customId, long number, out long first)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, Hash(customId), out var exists);
        if (exists)
        {
            first = slot;
            return false;
        }

        slot = number;
        first = number;
        return true;
    }

    public bool Contains(string customId) => _ids.ContainsKey(Hash(customId));

    /// <summary>Counts the ids of this set that <paramref name="other"/> holds too.</summary>
    public long CountIn(CustomIdSet other)
    {
        long count = 0;
        foreach (var id in _ids.Keys)
        {
            count += other._ids.ContainsKey(id) ? 1 : 0;
        }

        return count;
    }

    private static UInt128 Hash(string customId)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(customId), digest);
        return MemoryMarshal.Read<UInt128>(digest);
    }
}
