using Pacer.Goodput.Measuring;
using Pacer.Goodput.Systems;
using Pacer.Simulator;
using Pacer.Simulator.Options;

namespace Pacer.Goodput.Workloads;

/// <summary>
/// Measures what each request of the workload costs as the server counts it, by sending it once to a simulator with
/// the same seed but no limits and no latency. Replies depend only on the seed and the prompt, so these are exactly
/// the tokens every system's run asks for.
/// </summary>
internal static class DemandCalibration
{
    private const string Key = "sk-ant-bench-calibration";

    public static async Task<IReadOnlyList<RequestDemand>> MeasureAsync(IReadOnlyList<WorkItem> items, SimulatorOptions unlimited)
    {
        ArgumentNullException.ThrowIfNull(items);
        await using var simulator = await SimulatorHost.StartAsync(unlimited);
        await using var sender = new HttpSender(new HttpClient(new RequestTag(new SocketsHttpHandler())), simulator.BaseAddress, Key);
        var run = await WorkloadRunner.RunAsync(items, callers: 8, sender, TimeSpan.FromMinutes(5));
        if (run.Requests.FirstOrDefault(r => !r.Outcome.Succeeded) is { } failed)
        {
            throw new InvalidOperationException($"Calibration request {failed.Index} failed: {failed.Outcome.Error}");
        }

        var byTag = simulator.Attempts()
            .Where(a => a.Status == 200 && a.Headers.ContainsKey(RequestTag.HeaderName))
            .ToDictionary(a => a.Headers[RequestTag.HeaderName]);
        return items.Select(item => byTag.TryGetValue(item.Tag, out var attempt)
                ? new RequestDemand((int)attempt.InputTokens, (int)attempt.OutputTokens)
                : throw new InvalidOperationException($"The simulator logged no answer for request {item.Tag}."))
            .ToList();
    }
}
