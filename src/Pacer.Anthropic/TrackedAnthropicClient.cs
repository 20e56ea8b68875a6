using System.Net;
using System.Runtime.ExceptionServices;
using Anthropic;
using Anthropic.Models.Messages;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>
/// The C# face of the seed's <c>trackedAnthropic.messages(params, user, '/api/generate-scene')</c>: the official
/// SDK (retries off, <c>MaxRetries = 0</c>) over an <see cref="HttpClient"/> whose <see cref="PacerHandler"/> paces,
/// limits and retries through <see cref="Limiter"/>, and whose <see cref="UsageRecorder"/> prices each call, logs the
/// seed's 💰 lines and appends the usage record. Each call returns the message with its record.
/// </summary>
public sealed class TrackedAnthropicClient : IDisposable
{
    private static readonly TimeSpan SdkTimeout = TimeSpan.FromHours(1);
    private readonly HttpClient _http;

    /// <summary>Creates a client that paces through <paramref name="limiter"/> and records through <paramref name="recorder"/>.</summary>
    public TrackedAnthropicClient(Limiter limiter, UsageRecorder recorder, TrackedAnthropicClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(recorder);
        options ??= new TrackedAnthropicClientOptions();
        var pacer = new PacerHandler(limiter, options.LoggerFactory, [recorder])
        {
            InnerHandler = options.InnerHandler ?? new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            },
        };
        var tracked = new TrackedCallHandler(limiter, options.Calculator ?? new CostCalculator(), options.Budgets) { InnerHandler = pacer };
        _http = new HttpClient(tracked, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        // Pacer is the one retry owner (the SDK's retries would multiply the attempts) and bounds every wait and attempt
        // itself (MaxQueueWait, AttemptTimeout); the SDK's own short timeout would cut a queued call.
        IAnthropicClient client = new AnthropicClient { HttpClient = _http, MaxRetries = 0, Timeout = SdkTimeout };
        if (options.ApiKey is { } apiKey)
        {
            client = client.WithOptions(o => o with { ApiKey = apiKey });
        }

        if (options.BaseUrl is { } baseUrl)
        {
            client = client.WithOptions(o => o with { BaseUrl = baseUrl });
        }

        Client = client;
    }

    /// <summary>Gets the paced SDK client, for calls other than Messages (they are paced too, but not returned with a record).</summary>
    public IAnthropicClient Client { get; }

    /// <summary>
    /// Sends <paramref name="request"/> for <paramref name="user"/> and <paramref name="endpoint"/> (for example
    /// <c>/api/generate-scene</c>) through the engine; returns the message and its usage record. Throws
    /// <see cref="BudgetExceededException"/> before sending when the user's budget would be passed.
    /// </summary>
    public async Task<TrackedMessage> MessagesAsync(MessageCreateParams request, string? user, string endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        using var call = TrackedCall.Begin(string.IsNullOrEmpty(user) ? AcquireRequest.AnonymousUser : user, endpoint);
        Message message;
        try
        {
            message = await Client.Messages.Create(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Refusal(e) is { } refused)
        {
            ExceptionDispatchInfo.Throw(refused);
            throw;
        }

        return new TrackedMessage(message, call.Capture.Record ?? throw NoRecord());
    }

    /// <summary>
    /// Streams <paramref name="request"/> for <paramref name="user"/> and <paramref name="endpoint"/> through the engine;
    /// enumerate the events, then read <see cref="TrackedMessageStream.Usage"/>.
    /// </summary>
    public TrackedMessageStream MessagesStream(MessageCreateParams request, string? user, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(endpoint);
        return new TrackedMessageStream(Client, request, string.IsNullOrEmpty(user) ? AcquireRequest.AnonymousUser : user, endpoint);
    }

    /// <summary>Releases the HTTP client and its handlers (not the limiter or the recorder).</summary>
    public void Dispose() => _http.Dispose();

    internal static BudgetExceededException? Refusal(Exception exception)
    {
        // The SDK may wrap what the handler threw; a budget refusal is surfaced as itself.
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is BudgetExceededException refused)
            {
                return refused;
            }
        }

        return null;
    }

    internal static InvalidOperationException NoRecord() =>
        new("The call produced no usage record: it did not go through the PacerHandler with a UsageRecorder.");
}
