using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Pacer.Gateway.Admin;

/// <summary>
/// Throttles guessing of the admin key per client address: after <see cref="MaxFailures"/> wrong keys within
/// <see cref="Window"/>, every admin-key attempt from that address (right or wrong, so that the answer tells a guesser
/// nothing) is answered 429 until the oldest of those failures is a window old. Right keys are never counted, and a
/// right key under the limit passes as before. An IPv6 client is counted by its /64 network, the block one host is
/// usually given. Failures are logged with the address and the path, never the key.
/// </summary>
internal sealed partial class AdminKeyThrottle(TimeProvider time, ILogger<AdminKeyThrottle> logger)
{
    /// <summary>Wrong keys allowed per address within <see cref="Window"/>.</summary>
    public const int MaxFailures = 10;

    /// <summary>Addresses remembered at most; beyond it those whose failures have all expired are forgotten first.</summary>
    public const int MaxAddresses = 10_000;

    /// <summary>
    /// Addresses a prune leaves at most: a tenth below <see cref="MaxAddresses"/>, so that a guesser rotating through
    /// new addresses pays one scan of the table per thousand of them, not one per attempt.
    /// </summary>
    public const int PrunedAddresses = MaxAddresses - (MaxAddresses / 10);

    /// <summary>How long a failure counts.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly Lock _pruning = new();

    /// <summary>Gets the addresses remembered now.</summary>
    public int Count => _failures.Count;

    /// <summary>Gets how many times the table was full and pruned.</summary>
    public int Prunes { get; private set; }

    /// <summary>Gets how long the address must wait before its next attempt is checked, or null when it may try now.</summary>
    public TimeSpan? Wait(IPAddress? address)
    {
        if (!_failures.TryGetValue(Client(address), out var failures))
        {
            return null;
        }

        lock (failures)
        {
            var now = time.GetUtcNow();
            failures.Expire(now);
            return failures.Times.Count >= MaxFailures ? failures.Times.Peek() + Window - now : null;
        }
    }

    /// <summary>Counts a wrong key from <paramref name="address"/> on <paramref name="path"/>, and logs it.</summary>
    public void Failed(IPAddress? address, string path)
    {
        var client = Client(address);
        if (_failures.Count >= MaxAddresses && !_failures.ContainsKey(client))
        {
            Prune();
        }

        var failures = _failures.GetOrAdd(client, static _ => new Failures());
        int count;
        lock (failures)
        {
            var now = time.GetUtcNow();
            failures.Expire(now);
            failures.Times.Enqueue(now);
            count = failures.Times.Count;
        }

        if (count >= MaxFailures)
        {
            Blocked(logger, client, path, count, (long)Window.TotalSeconds);
        }
        else
        {
            WrongKey(logger, client, path, count, MaxFailures);
        }
    }

    /// <summary>Logs an attempt refused unchecked because its address is throttled.</summary>
    public void Refused(IPAddress? address, string path, TimeSpan wait)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var client = Client(address);
            var seconds = (long)Math.Ceiling(wait.TotalSeconds);
            StillBlocked(logger, client, path, seconds);
        }
    }

    /// <summary>The address a client is counted under: IPv4 as is, IPv6 by its /64 network, none (an in-process host) as <c>local</c>.</summary>
    internal static string Client(IPAddress? address)
    {
        if (address is null)
        {
            return "local";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private void Prune()
    {
        lock (_pruning)
        {
            if (_failures.Count < MaxAddresses)
            {
                return; // another attempt pruned it meanwhile
            }

            Prunes++;
            var now = time.GetUtcNow();
            var live = new List<(string Client, int Count)>(_failures.Count);
            foreach (var (client, failures) in _failures)
            {
                int count;
                lock (failures)
                {
                    failures.Expire(now);
                    count = failures.Times.Count;
                }

                if (count == 0)
                {
                    _failures.TryRemove(client, out _);
                }
                else
                {
                    live.Add((client, count));
                }
            }

            // Still full of addresses that failed within the window: forget the ones that failed least.
            if (live.Count > PrunedAddresses)
            {
                live.Sort(static (a, b) => a.Count.CompareTo(b.Count));
                foreach (var (client, _) in live.Take(live.Count - PrunedAddresses))
                {
                    _failures.TryRemove(client, out _);
                }
            }
        }
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "Wrong admin key from {Client} on {Path} ({Count} of {Allowed} allowed a minute)")]
    private static partial void WrongKey(ILogger logger, string client, string path, int count, int allowed);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "Wrong admin key from {Client} on {Path}: {Count} within a minute; its admin-key attempts are answered 429 for up to {Seconds} s")]
    private static partial void Blocked(ILogger logger, string client, string path, int count, long seconds);

    [LoggerMessage(EventId = 62, Level = LogLevel.Debug, Message = "Admin-key attempt from {Client} on {Path} refused unchecked: throttled for {Seconds} s more")]
    private static partial void StillBlocked(ILogger logger, string client, string path, long seconds);

    /// <summary>The times of one address's failures within the window, oldest first.</summary>
    private sealed class Failures
    {
        public Queue<DateTimeOffset> Times { get; } = new();

        public void Expire(DateTimeOffset now)
        {
            while (Times.Count > 0 && Times.Peek() + Window <= now)
            {
                Times.Dequeue();
            }
        }
    }
}
