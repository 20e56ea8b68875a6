using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Pacer.Gateway.Operations;

/// <summary>The gateway's own instruments (meter <c>Pacer.Gateway</c>), beside the engine's <c>Pacer</c> meter.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Pacer.Gateway";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _streamErrors;
    private readonly Counter<long> _inputTokens;
    private readonly Counter<long> _outputTokens;

    public GatewayMetrics(IMeterFactory meterFactory, Pacer.Redis.RedisLimiterStore? sharedStore = null)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("pacer.gateway.requests", "{request}", "Proxied requests by route and final status.");
        _duration = meter.CreateHistogram<double>("pacer.gateway.request.duration", "s", "Time from arrival to the last byte sent, by route and status.");
        _active = meter.CreateUpDownCounter<long>("pacer.gateway.requests.active", "{request}", "Proxied requests in progress.");
        _streamErrors = meter.CreateCounter<long>("pacer.gateway.stream.errors", "{stream}", "Streams the gateway ended with an error event, by reason.");
        _inputTokens = meter.CreateCounter<long>("pacer.gateway.tokens.input", "{token}", "Input tokens reported by responses, by model.");
        _outputTokens = meter.CreateCounter<long>("pacer.gateway.tokens.output", "{token}", "Output tokens reported by responses, by model.");
        if (sharedStore is not null)
        {
            meter.CreateObservableGauge("pacer.gateway.shared_store.degraded", () => sharedStore.IsDegraded ? 1 : 0, "{state}", "1 while Redis cannot be reached and the failure policy is in force, else 0.");
            meter.CreateObservableGauge("pacer.gateway.shared_store.instances", () => sharedStore.LiveInstances, "{instance}", "Instances sharing the limits, as last counted from their heartbeats.");
        }
    }

    public void Started() => _active.Add(1);

    public void Finished(string route, int status, TimeSpan duration, string model, long inputTokens, long outputTokens)
    {
        _active.Add(-1);
        var tags = new TagList { { "route", route }, { "status", status } };
        _requests.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
        if (inputTokens > 0)
        {
            _inputTokens.Add(inputTokens, new KeyValuePair<string, object?>("model", model));
        }

        if (outputTokens > 0)
        {
            _outputTokens.Add(outputTokens, new KeyValuePair<string, object?>("model", model));
        }
    }

    public void StreamError(string reason) => _streamErrors.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
