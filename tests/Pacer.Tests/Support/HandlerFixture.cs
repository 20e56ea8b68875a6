using System.Text;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Telemetry;

namespace Pacer.Tests.Support;

/// <summary>A PacerHandler over a fake upstream, on watched fake time, with a recording observer, logger and metrics.</summary>
internal sealed class HandlerFixture : IDisposable
{
    public const string ApiKey = "sk-ant-api03-secret-test-key";

    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public HandlerFixture(FakeUpstream upstream, PacerOptions? options = null, params double[] jitter)
    {
        Upstream = upstream;
        Limiter = new Limiter(options ?? new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100 }, Time);
        Metrics = new PacerMetrics(Limiter);
        Random = new ScriptedRandom(jitter.Length == 0 ? [0.5] : jitter);
        Handler = new PacerHandler(Limiter, Logger, [Observer], Metrics, ownsMetrics: true, Random.Next, ownsLimiter: true)
        {
            InnerHandler = upstream,
        };
        Client = new HttpClient(Handler) { BaseAddress = new Uri("https://api.anthropic.com") };
    }

    public TimerWatchingTimeProvider Time { get; } = new();

    public FakeUpstream Upstream { get; }

    public Limiter Limiter { get; }

    public PacerMetrics Metrics { get; }

    public ScriptedRandom Random { get; }

    public PacerHandler Handler { get; }

    public HttpClient Client { get; }

    public FakeLogger Logger { get; } = new();

    public RecordingObserver Observer { get; } = new();

    public static string MessagesBody(string model = "claude-sonnet-4-5", int maxTokens = 1000, bool stream = false, string? userId = null) =>
        $$"""{"model":"{{model}}","max_tokens":{{maxTokens}},{{(userId is null ? "" : $"\"metadata\":{{\"user_id\":\"{userId}\"}},")}}"messages":[{"role":"user","content":"Hello there, how are you today?"}]{{(stream ? ",\"stream\":true" : "")}}}""";

    public static HttpRequestMessage Messages(string? body = null, string path = "/v1/messages")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body ?? MessagesBody(), Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("x-api-key", ApiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead) =>
        Client.SendAsync(request, completion, TestContext.Current.CancellationToken);

    public static Task<T> Settled<T>(Task<T> task) => task.WaitAsync(Bound, TestContext.Current.CancellationToken);

    public RequestOutcome SingleOutcome() => Observer.Outcomes.ShouldHaveSingleItem();

    public IReadOnlyList<string> LogMessages() => [.. Logger.Collector.GetSnapshot().Select(r => r.Message)];

    public void Dispose()
    {
        Client.Dispose();
        Logger.Collector.Clear();
    }
}
