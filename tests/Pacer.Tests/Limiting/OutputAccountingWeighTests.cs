using System.Globalization;
using System.Text.RegularExpressions;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>
/// <see cref="OutputAccountingLearner.Weigh(LimiterPermit, BudgetObservation, bool, long, long)"/> walks the requests in
/// flight and the refunds once; on random traffic it finds the same excess as the definition read literally (for each
/// counted request, every refund whose request was admitted before it and answered after it).
/// </summary>
public sealed partial class OutputAccountingWeighTests
{
    private static readonly BucketKey Bucket = new("key", "model");
    private static readonly long Transit = TimeSpan.FromMilliseconds(250).Ticks;

    // 60,000 output tokens a minute, remaining full, full again now: the server's debt can be at most a quarter of a
    // second of refill (ResetSlack), 250 tokens, so any larger excess shows the produced accounting.
    private static readonly BudgetObservation Output = new(60_000, 60_000, TimeSpan.Zero);
    private const double DebtBound = 250;

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Weigh_RandomTraffic_FindsTheExcessOfTheDefinition(int seed)
    {
        var random = new Random(seed);
        var learner = new OutputAccountingLearner();
        var live = new List<LimiterPermit>();
        var refunds = new List<(long At, long AdmittedAt, int Amount)>();
        long now = 0;
        for (var step = random.Next(5, 120); step > 0; step--)
        {
            now += random.Next(0, (int)TimeSpan.FromMilliseconds(300).Ticks);
            var roll = random.NextDouble();
            if (roll < 0.55 || live.Count == 0)
            {
                var permit = new LimiterPermit();
                permit.Activate(null!, Bucket, step, new RequestCost(100, random.Next(1, 40) * 50), now, 0);
                learner.Admitted(permit);
                live.Add(permit);
            }
            else if (roll < 0.85 && live.FirstOrDefault(p => !p.IsCompleted) is { } open)
            {
                var answered = live[random.Next(live.IndexOf(open), live.Count)];
                if (!answered.IsCompleted)
                {
                    var used = random.Next(0, answered.Reserved.OutputTokens + 1);
                    answered.IsCompleted = true;
                    learner.Completed(answered, new TokenUsage(100, used), now);
                    if (answered.Reserved.OutputTokens > used)
                    {
                        refunds.Add((now, answered.AdmittedAt, answered.Reserved.OutputTokens - used));
                    }
                }
            }
            else
            {
                var ended = live[random.Next(live.Count)];
                learner.Released(ended);
                live.Remove(ended);
            }
        }

        if (live.Count == 0)
        {
            return;
        }

        var target = live[random.Next(live.Count)];
        var complete = random.Next(2) == 0;
        now += random.Next(0, (int)TimeSpan.FromSeconds(1).Ticks);
        var expected = Literal(live, refunds, target, complete, now);
        if (Math.Abs(expected - DebtBound) < 0.5)
        {
            return;
        }

        var seen = learner.Weigh(target, Output, complete, now, Transit);

        if (expected > DebtBound)
        {
            seen.ShouldNotBeNull();
            double.Parse(HeldExcess().Match(seen).Groups[1].Value, CultureInfo.InvariantCulture).ShouldBe(Math.Round(expected), 1);
        }
        else
        {
            seen.ShouldBeNull();
        }
    }

    private static double Literal(List<LimiterPermit> live, List<(long At, long AdmittedAt, int Amount)> refunds, LimiterPermit answered, bool complete, long now)
    {
        var perTick = Output.Limit / (double)TimeSpan.TicksPerMinute;
        double held = 0, largest = 0, excess = double.NegativeInfinity;
        for (var i = live.Count - 1; i >= 0; i--)
        {
            var permit = live[i];
            var arrived = permit.AdmittedAt;
            if (permit.IsCompleted || (arrived > answered.AdmittedAt && arrived > now - Transit) || (complete && ReferenceEquals(permit, answered)))
            {
                continue;
            }

            held += permit.Reserved.OutputTokens;
            largest = Math.Max(largest, permit.Reserved.OutputTokens);
            double givenBack = complete && answered.AdmittedAt < arrived ? answered.Reserved.OutputTokens : 0;
            givenBack += refunds.Where(r => r.At >= arrived && r.AdmittedAt < arrived).Sum(r => r.Amount);
            excess = Math.Max(excess, held - largest - (perTick * (now - arrived)) - givenBack);
        }

        return excess;
    }

    [GeneratedRegex(@"held (-?\d+) tokens")]
    private static partial Regex HeldExcess();
}
