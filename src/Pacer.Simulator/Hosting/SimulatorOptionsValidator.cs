using System.Globalization;
using System.Net;
using Pacer.Simulator.Faults;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Hosting;

/// <summary>Checks a whole <see cref="SimulatorOptions"/> and reports every invalid field at once, with its allowed range.</summary>
internal static class SimulatorOptionsValidator
{
    public static IReadOnlyList<string> Validate(SimulatorOptions options)
    {
        var errors = new List<string>();
        void Range(string name, double value, double min, double max)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} is {value}; allowed {min}–{max}."));
            }
        }

        if (!(options.Host is "localhost" or "*" or "+" || IPAddress.TryParse(options.Host, out _)))
        {
            errors.Add($"Host is '{options.Host}'; use an IP address, localhost or *.");
        }

        Range("Port", options.Port, 0, 65535);
        Range("MaxRequestBodyBytes", options.MaxRequestBodyBytes, 1, int.MaxValue - 1);
        Range("AttemptLogCapacity", options.AttemptLogCapacity, 0, 10_000_000);
        if (string.IsNullOrWhiteSpace(options.OrganizationId))
        {
            errors.Add("OrganizationId is empty.");
        }

        var limits = options.Limits;
        Range("Limits:RequestsPerMinute", limits.RequestsPerMinute, 1, 100_000_000);
        Range("Limits:InputTokensPerMinute", limits.InputTokensPerMinute, 1, 100_000_000);
        Range("Limits:OutputTokensPerMinute", limits.OutputTokensPerMinute, 1, 100_000_000);
        Range("Limits:CountTokensRequestsPerMinute", limits.CountTokensRequestsPerMinute, 1, 100_000_000);
        Range("Limits:BurstSeconds", limits.BurstSeconds, 0.001, 600);
        Range("Limits:RemainingRounding", limits.RemainingRounding, 1, 1_000_000);
        if (!Enum.IsDefined(limits.OutputAccounting))
        {
            errors.Add($"Limits:OutputAccounting is '{limits.OutputAccounting}'; use Reserve or Actual.");
        }

        foreach (var pool in limits.Pools)
        {
            var name = $"Limits:Pools[{pool.Name}]";
            if (string.IsNullOrWhiteSpace(pool.Name))
            {
                errors.Add("Limits:Pools has a pool without a Name.");
            }

            Range($"{name}:RequestsPerMinute", pool.RequestsPerMinute ?? 1, 1, 100_000_000);
            Range($"{name}:InputTokensPerMinute", pool.InputTokensPerMinute ?? 1, 1, 100_000_000);
            Range($"{name}:OutputTokensPerMinute", pool.OutputTokensPerMinute ?? 1, 1, 100_000_000);
        }

        foreach (var model in options.Models)
        {
            if (string.IsNullOrWhiteSpace(model.Id) || string.IsNullOrWhiteSpace(model.Pool))
            {
                errors.Add($"Models: every model needs an Id and a Pool ('{model.Id}').");
            }

            Range($"Models[{model.Id}]:MaxOutputTokens", model.MaxOutputTokens, 1, 10_000_000);
            Range($"Models[{model.Id}]:ContextWindow", model.ContextWindow, 1, 100_000_000);
            Range($"Models[{model.Id}]:InputPricePerMillion", (double)model.InputPricePerMillion, 0, 1_000_000);
            Range($"Models[{model.Id}]:OutputPricePerMillion", (double)model.OutputPricePerMillion, 0, 1_000_000);
        }

        Range("Output:MeanTokens", options.Output.MeanTokens, 1, 1_000_000);
        Range("Output:MaxTokensRate", options.Output.MaxTokensRate, 0, 1);
        Range("Output:StopSequenceRate", options.Output.StopSequenceRate, 0, 1);
        Range("Latency:TimeToFirstTokenMs", options.Latency.TimeToFirstTokenMs, 0, 600_000);
        Range("Latency:TokensPerSecond", options.Latency.TokensPerSecond, 0.001, 1_000_000);
        Range("Latency:Jitter", options.Latency.Jitter, 0, 1);
        Range("Faults:RetryAfterSeconds", options.Faults.RetryAfterSeconds, 0, 86_400);
        Range("Faults:SlowFirstTokenMs", options.Faults.SlowFirstTokenMs, 0, 3_600_000);
        Range("Faults:HangMs", options.Faults.HangMs, 0, 86_400_000);
        try
        {
            FaultScript.ParseRates(options.Faults.Rates, options.Faults);
        }
        catch (FormatException e)
        {
            errors.Add($"Faults:Rates: {e.Message}");
        }

        Range("Spend:MonthlyCapUsd", (double)options.Spend.MonthlyCapUsd, 0, 1e12);
        Range("Acceleration:Factor", options.Acceleration.Factor, 1, 1000);
        Range("Acceleration:FloorRequestsPerMinute", options.Acceleration.FloorRequestsPerMinute, 0, 100_000_000);
        Range("Acceleration:ShortWindowSeconds", options.Acceleration.ShortWindowSeconds, 0.1, 3600);
        Range("Acceleration:LongWindowSeconds", options.Acceleration.LongWindowSeconds, options.Acceleration.ShortWindowSeconds, 86_400);
        Range("PromptCache:MinTokens", options.PromptCache.MinTokens, 0, 10_000_000);
        Range("PromptCache:TtlSeconds", options.PromptCache.TtlSeconds, 1, 86_400);
        return errors;
    }
}
