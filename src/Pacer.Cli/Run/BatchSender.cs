using System.Globalization;
using System.Net.Http.Headers;
using Pacer.Http;
using Pacer.Limiting;

namespace Pacer.Cli.Run;

/// <summary>Sends one request until it has a result to write, or is given up.</summary>
internal sealed class BatchSender(Upstream upstream, HttpClient http, ResultsFile results, RunStats stats, RunControl control, TimeProvider time, RequestPriority priority)
{
    private const string AnthropicVersion = "2023-06-01";
    private static readonly TimeSpan ShortestRetry = TimeSpan.FromMilliseconds(100);

    public async Task SendAsync(BatchItem item)
    {
        using (item)
        {
            if (!control.TryBeginWaiting(item))
            {
                stats.Cancel();
                return;
            }

            try
            {
                await SendUntilAnsweredAsync(item).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (item.Token.IsCancellationRequested)
            {
                stats.Cancel();
            }
            finally
            {
                control.Finished(item);
            }
        }
    }

    private async Task SendUntilAnsweredAsync(BatchItem item)
    {
        while (true)
        {
            try
            {
                using var request = Build(item);
                var started = time.GetTimestamp();
                using var response = await http.SendAsync(request, item.Token).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync(item.Token).ConfigureAwait(false);
                stats.Served(time.GetElapsedTime(started) - QueueTime(response));
                var (line, errorType, message) = ResultLine.FromResponse(item.CustomId, (int)response.StatusCode, body);
                using (message)
                {
                    await results.AppendAsync(line, CancellationToken.None).ConfigureAwait(false);
                    if (message is not null)
                    {
                        stats.Success(item.Model, message.RootElement);
                    }
                    else
                    {
                        stats.Error(errorType!);
                    }
                }

                return;
            }
            catch (PacerRejectedException rejected) when (rejected.Reason == RejectionReason.TooLarge)
            {
                await results.AppendAsync(ResultLine.FromRejection(item.CustomId, rejected), CancellationToken.None).ConfigureAwait(false);
                stats.Error("rate_limit_error");
                return;
            }
            catch (PacerRejectedException rejected) when (rejected.Reason != RejectionReason.ShuttingDown)
            {
                // A batch has time: a request refused for now (queue wait, cooldown) waits and queues again.
                await Task.Delay(rejected.RetryAfter > ShortestRetry ? rejected.RetryAfter : ShortestRetry, time, item.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException failure) when (!item.Token.IsCancellationRequested)
            {
                await Fail(item, "api_error", "The API could not be reached after every retry: " + failure.Message).ConfigureAwait(false);
                return;
            }
            catch (TaskCanceledException timeout) when (timeout.InnerException is TimeoutException && !item.Token.IsCancellationRequested)
            {
                await Fail(item, "timeout_error", "No response within PACER_ATTEMPT_TIMEOUT on every attempt.").ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>The time the engine held the request in its queue, over all attempts (<c>x-pacer-queue-ms</c>).</summary>
    private static TimeSpan QueueTime(HttpResponseMessage response) =>
        response.Headers.TryGetValues(PacerHeaders.QueueMilliseconds, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : TimeSpan.Zero;

    private async Task Fail(BatchItem item, string type, string message)
    {
        await results.AppendAsync(ResultLine.Error(item.CustomId, type, message), CancellationToken.None).ConfigureAwait(false);
        stats.Error(type);
    }

    private HttpRequestMessage Build(BatchItem item)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, upstream.MessagesUri) { Content = new ByteArrayContent(item.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("x-api-key", upstream.ApiKey);
        request.Headers.Add("anthropic-version", AnthropicVersion);
        if (upstream.IsGateway)
        {
            request.Headers.Add("x-pacer-priority", RequestPriorityNames.NameOf(priority));
        }

        request.Options.Set(BatchItem.OptionKey, item);
        request.Options.Set(PacerRequestOptions.Endpoint, "pacer run");
        request.SetPacerPriority(priority);
        return request;
    }
}
