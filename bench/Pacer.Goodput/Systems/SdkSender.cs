using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.Systems;

/// <summary>The official <c>Anthropic</c> SDK's <c>Messages.Create</c> over a given <see cref="HttpClient"/>.</summary>
internal sealed class SdkSender(AnthropicClient client, HttpClient http, IAsyncDisposable? owned = null) : IRequestSender
{
    /// <summary>
    /// Creates an SDK client for <paramref name="baseUrl"/>; a null <paramref name="maxRetries"/> or <paramref name="timeout"/>
    /// keeps the SDK's default (for the timeout: computed from <c>max_tokens</c>, 30 s for this workload's requests).
    /// </summary>
    public static SdkSender Create(Uri baseUrl, string apiKey, HttpClient http, int? maxRetries, IAsyncDisposable? owned = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var options = new Anthropic.Core.ClientOptions
        {
            ApiKey = apiKey,
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
            HttpClient = http,
        };
        if (maxRetries is { } retries)
        {
            options.MaxRetries = retries;
        }

        if (timeout is { } whole)
        {
            options.Timeout = whole;
        }

        return new SdkSender(new AnthropicClient(options), http, owned);
    }

    /// <summary>Gets the probe of the in-process limiter this client paces through, if any.</summary>
    public LimiterProbe? Probe => owned as LimiterProbe;

    public async Task<CallOutcome> SendAsync(WorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var parameters = new MessageCreateParams
        {
            Model = WorkItem.Model,
            MaxTokens = item.MaxTokens,
            Messages = [new UserMessageParam { Content = item.Prompt }],
        };
        try
        {
            var message = await client.Messages.Create(parameters, cancellationToken);
            return message.Content.Count > 0 ? CallOutcome.Ok : CallOutcome.Failed("empty message");
        }
        catch (AnthropicApiException error)
        {
            return CallOutcome.Failed($"{error.GetType().Name} {(int)error.StatusCode}");
        }
        catch (Exception error) when (error is AnthropicException or HttpRequestException or Pacer.Limiting.PacerRejectedException
            || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The inner exception tells a timeout (TimeoutException) from a cancellation or a connection failure.
            return CallOutcome.Failed(error.InnerException is { } inner ? $"{error.GetType().Name} ({inner.GetType().Name}: {inner.Message})" : error.GetType().Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        http.Dispose();
        if (owned is not null)
        {
            await owned.DisposeAsync();
        }
    }
}
