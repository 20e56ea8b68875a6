using System.Text.Json;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Cli.Run;

/// <summary>What the run has done so far: results by type, tokens and cost by model, and the recent pace. Thread-safe.</summary>
internal sealed class RunStats(CostCalculator costs, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ModelTotals> _models = new(StringComparer.Ordinal);
    private readonly Queue<(long At, int Input, int Output)> _recent = new();
    private long _succeeded;
    private long _errored;
    private long _canceled;
    private decimal _cost;
    private long _serviceTicks;
    private long _served;

    public long ToSend { get; set; }

    /// <summary>Gets the errored results of this run by Anthropic error type (read after the run).</summary>
    public Dictionary<string, long> ErrorsByType { get; } = new(StringComparer.Ordinal);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Errored => Interlocked.Read(ref _errored);

    public long Canceled => Interlocked.Read(ref _canceled);

    public long Finished => Succeeded + Errored;

    public decimal Cost
    {
        get
        {
            lock (_gate)
            {
                return _cost;
            }
        }
    }

    public void Success(string model, JsonElement message)
    {
        var usage = message.TryGetProperty("usage", out var found) && found.ValueKind == JsonValueKind.Object ? UsageOf(found) : default;
        var name = message.TryGetProperty("model", out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() ?? model : model;
        var cost = costs.Calculate(name, usage);
        lock (_gate)
        {
            if (!_models.TryGetValue(name, out var totals))
            {
                totals = new ModelTotals(name);
                _models.Add(name, totals);
            }

            totals.Add(usage, cost.TotalCost);
            _cost += cost.TotalCost ?? 0;
            _recent.Enqueue((time.GetTimestamp(), usage.RateLimitedInputTokens, usage.OutputTokens));
        }

        Interlocked.Increment(ref _succeeded);
    }

    public void Error(string type)
    {
        lock (_gate)
        {
            _recent.Enqueue((time.GetTimestamp(), 0, 0));
            ErrorsByType[type] = ErrorsByType.GetValueOrDefault(type) + 1;
        }

        Interlocked.Increment(ref _errored);
    }

    public void Cancel() => Interlocked.Increment(ref _canceled);

    /// <summary>Records how long the upstream took to answer one request (its time after admission).</summary>
    public void Served(TimeSpan service)
    {
        Interlocked.Add(ref _serviceTicks, Math.Max(0, service.Ticks));
        Interlocked.Increment(ref _served);
    }

    /// <summary>Gets the service times of every answered request, summed.</summary>
    public TimeSpan TotalService => TimeSpan.FromTicks(Interlocked.Read(ref _serviceTicks));

    /// <summary>Gets the mean service time of an answered request.</summary>
    public TimeSpan MeanService => Interlocked.Read(ref _served) is > 0 and var served ? TotalService / served : TimeSpan.Zero;

    /// <summary>Gets the results, input tokens and output tokens of the last minute (or of the run so far, when shorter), per minute.</summary>
    public (double ResultsPerMinute, double InputPerMinute, double OutputPerMinute) Pace(TimeSpan elapsed)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            while (_recent.TryPeek(out var oldest) && time.GetElapsedTime(oldest.At, now) > Window)
            {
                _recent.Dequeue();
            }

            var minutes = Math.Max(Math.Min(elapsed.TotalMinutes, Window.TotalMinutes), 1.0 / 60);
            long input = 0;
            long output = 0;
            foreach (var (_, inTokens, outTokens) in _recent)
            {
                input += inTokens;
                output += outTokens;
            }

            return (_recent.Count / minutes, input / minutes, output / minutes);
        }
    }

    public List<ModelTotals> Models()
    {
        lock (_gate)
        {
            return [.. _models.Values.Select(m => m.Copy()).OrderBy(m => m.Model, StringComparer.Ordinal)];
        }
    }

    private static TokenUsage UsageOf(JsonElement usage) => new(
        Number(usage, "input_tokens"),
        Number(usage, "output_tokens"),
        Number(usage, "cache_creation_input_tokens"),
        Number(usage, "cache_read_input_tokens"));

    private static int Number(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;
}
