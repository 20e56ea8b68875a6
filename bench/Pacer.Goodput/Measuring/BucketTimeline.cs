using System.Globalization;
using Pacer.Simulator;

namespace Pacer.Goodput.Measuring;

/// <summary>
/// Where a run's makespan went beyond the ideal, from the upstream's attempt log: one of the upstream's buckets replayed
/// from the attempts it admitted (capacity C, refill r): the input bucket charged on arrival (<see cref="Of"/>), or the
/// output bucket under "counted as produced" charged when each answer ended (<see cref="OfOutput"/>). Since the bucket
/// starts full and refill that arrives while it is full is lost, the last charge comes at (D − C + wasted + left) / r,
/// where wasted is the refill lost while the bucket sat full and left what it still held after the last charge. The
/// makespan then adds the tail (last charge to last answer) against the ideal's mean service time.
/// </summary>
internal sealed record BucketTimeline
{
    /// <summary>Gets the seconds from the first arrival to the last admitted arrival.</summary>
    public required double LastAdmissionSeconds { get; init; }

    /// <summary>Gets the seconds from the last admitted arrival to the last answer's end.</summary>
    public required double TailSeconds { get; init; }

    /// <summary>Gets the refill lost while the replayed bucket sat full, in seconds of refill.</summary>
    public required double FullSeconds { get; init; }

    /// <summary>Gets the refill lost while full in the first 10 seconds (before the limits were learned), in seconds.</summary>
    public required double FullSecondsEarly { get; init; }

    /// <summary>Gets the tokens the bucket still held after the last admission, in seconds of refill.</summary>
    public required double LeftSeconds { get; init; }

    /// <summary>Gets the seconds of cooldown the 429s asked for (the sum of their retry-after).</summary>
    public required double RetryAfterSeconds { get; init; }

    /// <summary>Gets the refill lost while full during the retry-after of a 429 (a subset of <see cref="FullSeconds"/>).</summary>
    public required double FullDuringCooldownSeconds { get; init; }

    /// <summary>Gets the mean input tokens admitted per second over each 10-second window, first to last.</summary>
    public required IReadOnlyList<double> InputPerSecondBy10s { get; init; }

    /// <summary>Gets the longest time between two arrivals at the upstream, and when it began, in seconds.</summary>
    public (double Seconds, double At) LongestPause { get; init; }

    /// <summary>Gets the level of the replayed bucket at each admission: its mean, in tokens.</summary>
    public required double MeanLevel { get; init; }

    /// <summary>Gets what the replayed bucket counts: <c>input</c> or <c>output</c>.</summary>
    public string Counted { get; init; } = "input";

    /// <summary>The upstream's input bucket replayed from the attempts it admitted, each charged on arrival.</summary>
    public static BucketTimeline Of(IReadOnlyList<SimulatorAttempt> attempts, double capacity, double refillPerSecond) =>
        Replay(attempts, capacity, refillPerSecond, a => (a.ArrivedAt, a.InputTokens), "input");

    /// <summary>
    /// The upstream's output bucket under "counted as produced" replayed from the answers it completed, each charged its
    /// output tokens when it ended (as the simulator charges a whole answer), so the level may fall below zero: where
    /// refill was lost while the bucket sat full is where a client held back output the upstream would have taken.
    /// </summary>
    public static BucketTimeline OfOutput(IReadOnlyList<SimulatorAttempt> attempts, double capacity, double refillPerSecond) =>
        Replay(attempts, capacity, refillPerSecond, a => (a.CompletedAt ?? a.ArrivedAt, a.OutputTokens), "output");

    private static BucketTimeline Replay(IReadOnlyList<SimulatorAttempt> attempts, double capacity, double refillPerSecond, Func<SimulatorAttempt, (DateTimeOffset At, long Tokens)> charge, string counted)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        var messages = attempts.Where(a => a.Path == "/v1/messages").OrderBy(a => a.ArrivedAt).ToList();
        if (messages.Count == 0)
        {
            return new BucketTimeline { Counted = counted, LastAdmissionSeconds = 0, TailSeconds = 0, FullSeconds = 0, FullSecondsEarly = 0, LeftSeconds = 0, RetryAfterSeconds = 0, FullDuringCooldownSeconds = 0, InputPerSecondBy10s = [], MeanLevel = 0 };
        }

        var start = messages[0].ArrivedAt;
        var cooldowns = messages.Where(a => a.Status == 429 && a.RetryAfterSeconds is not null)
            .Select(a => (From: Seconds(a.ArrivedAt, start), To: Seconds(a.ArrivedAt, start) + a.RetryAfterSeconds!.Value)).ToList();
        var charges = messages.Where(a => a.Status == 200).Select(charge).OrderBy(c => c.At).ToList();
        double level = capacity, last = 0, wasted = 0, wastedEarly = 0, wastedCooling = 0, levels = 0;
        var windows = new List<double>();
        foreach (var (at, tokens) in charges)
        {
            var t = Seconds(at, start);
            var refill = (t - last) * refillPerSecond;
            var room = Math.Max(0, capacity - level);
            if (refill > room)
            {
                // The bucket filled at last + room / r and lost the rest of the refill until t.
                var fullFrom = last + (room / refillPerSecond);
                var lost = refill - room;
                wasted += lost;
                wastedEarly += Overlap(fullFrom, t, 0, 10) * refillPerSecond;
                wastedCooling += cooldowns.Sum(c => Overlap(fullFrom, t, c.From, c.To)) * refillPerSecond;
                level = capacity;
            }
            else
            {
                level += refill;
            }

            levels += level;
            level -= tokens;
            last = t;
            var window = (int)(t / 10);
            while (windows.Count <= window)
            {
                windows.Add(0);
            }

            windows[window] += tokens / 10.0;
        }

        var end = messages.Max(a => a.CompletedAt ?? a.ArrivedAt);
        return new BucketTimeline
        {
            Counted = counted,
            LastAdmissionSeconds = last,
            TailSeconds = Seconds(end, start) - last,
            FullSeconds = wasted / refillPerSecond,
            FullSecondsEarly = wastedEarly / refillPerSecond,
            LeftSeconds = Math.Max(0, level) / refillPerSecond,
            RetryAfterSeconds = cooldowns.Sum(c => c.To - c.From),
            FullDuringCooldownSeconds = wastedCooling / refillPerSecond,
            InputPerSecondBy10s = windows,
            MeanLevel = charges.Count == 0 ? 0 : levels / charges.Count,
            LongestPause = messages.Skip(1).Select((a, i) => (Seconds: Seconds(a.ArrivedAt, messages[i].ArrivedAt), At: Seconds(messages[i].ArrivedAt, start)))
                .DefaultIfEmpty().MaxBy(p => p.Seconds),
        };
    }

    /// <summary>
    /// Gets the level of the upstream's input bucket, replayed from the attempts it admitted, at each of
    /// <paramref name="times"/> (in order), after the admissions that arrived by then.
    /// </summary>
    public static IReadOnlyList<double> LevelsAt(IReadOnlyList<SimulatorAttempt> attempts, double capacity, double refillPerSecond, IReadOnlyList<DateTimeOffset> times)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        ArgumentNullException.ThrowIfNull(times);
        var admitted = attempts.Where(a => a.Path == "/v1/messages" && a.Status == 200).OrderBy(a => a.ArrivedAt).ToList();
        var levels = new List<double>(times.Count);
        double level = capacity;
        DateTimeOffset? last = null;
        var next = 0;
        foreach (var time in times)
        {
            while (next < admitted.Count && admitted[next].ArrivedAt <= time)
            {
                level = Refilled(level, last, admitted[next].ArrivedAt, capacity, refillPerSecond) - admitted[next].InputTokens;
                last = admitted[next].ArrivedAt;
                next++;
            }

            levels.Add(Refilled(level, last, time, capacity, refillPerSecond));
        }

        return levels;
    }

    public string Describe(double idealAdmissionSeconds, double meanServiceSeconds)
    {
        var c = CultureInfo.InvariantCulture;
        var what = Counted == "input" ? "Input timeline (upstream's input bucket replayed): last admission" : "Output timeline (upstream's output bucket replayed, each answer charged when it ended): last charge";
        return string.Create(c, $"   {what} at {LastAdmissionSeconds:0.0} s (ideal {idealAdmissionSeconds:0.0} s: +{LastAdmissionSeconds - idealAdmissionSeconds:0.0} s = refill lost while full {FullSeconds:0.0} s [first 10 s {FullSecondsEarly:0.0}, in cooldowns {FullDuringCooldownSeconds:0.0}] + left unspent {LeftSeconds:0.0} s); tail {TailSeconds:0.0} s (ideal {meanServiceSeconds:0.0} s); 429 retry-after {RetryAfterSeconds:0} s in all; bucket level at {(Counted == "input" ? "admissions" : "charges")} mean {MeanLevel:0}; longest pause between arrivals {LongestPause.Seconds:0.00} s at {LongestPause.At:0.0} s; {Counted}/s by 10 s: {string.Join(" ", InputPerSecondBy10s.Select(v => v.ToString("0", c)))}");
    }

    private static double Refilled(double level, DateTimeOffset? from, DateTimeOffset to, double capacity, double refillPerSecond) =>
        from is null ? level : Math.Min(capacity, level + (Math.Max(0, (to - from.Value).TotalSeconds) * refillPerSecond));

    private static double Seconds(DateTimeOffset at, DateTimeOffset start) => (at - start).TotalSeconds;

    private static double Overlap(double from, double to, double otherFrom, double otherTo) => Math.Max(0, Math.Min(to, otherTo) - Math.Max(from, otherFrom));
}
