using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pacer.Goodput.Workloads;

namespace Pacer.Goodput.Systems;

/// <summary>A plain <see cref="HttpClient"/> posting the Messages JSON, as an application without the SDK would.</summary>
internal sealed class HttpSender(HttpClient http, Uri baseUrl, string apiKey, IDisposable? owned = null) : IRequestSender
{
    private readonly Uri _messages = new(baseUrl, "v1/messages");

    /// <summary>The JSON body of a Messages request for <paramref name="item"/>.</summary>
    public static JsonObject Body(WorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new JsonObject
        {
            ["model"] = WorkItem.Model,
            ["max_tokens"] = item.MaxTokens,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = item.Prompt }),
        };
    }

    public async Task<CallOutcome> SendAsync(WorkItem item, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _messages) { Content = JsonContent.Create(Body(item)) };
        request.Headers.Add("x-api-key", apiKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return response.IsSuccessStatusCode && body.Length > 0 ? CallOutcome.Ok : CallOutcome.Failed($"HTTP {(int)response.StatusCode}");
        }
        catch (Exception error) when (error is HttpRequestException or Polly.ExecutionRejectedException or Pacer.Limiting.PacerRejectedException
            || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return CallOutcome.Failed(error.GetType().Name);
        }
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        owned?.Dispose();
        return ValueTask.CompletedTask;
    }
}
