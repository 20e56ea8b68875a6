using System.Text.Json;
using System.Threading.Channels;
using Pacer.Gateway.Hosting;

namespace Pacer.Gateway.Alerts;

/// <summary>
/// POSTs each alert start and end as JSON to <c>PACER_ALERT_WEBHOOK_URL</c>. Enqueuing never waits: alerts go into a
/// bounded channel (one more than <see cref="Capacity"/> is dropped and logged) and one background sender delivers
/// them in order, retrying a failed delivery with backoff. The URL is never logged (it often carries a token).
/// </summary>
internal sealed class AlertWebhook(GatewayOptions options, IHttpClientFactory clients, TimeProvider time, ILogger<AlertWebhook> logger) : BackgroundService
{
    public const string ClientName = "Pacer.Gateway.AlertWebhook";

    /// <summary>Alerts waiting for delivery at most.</summary>
    public const int Capacity = 256;

    /// <summary>Deliveries tried per alert: the first and up to four retries, 1, 2, 4 and 8 s apart.</summary>
    public const int MaxAttempts = 5;

    /// <summary>The longest one delivery attempt may take.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<Alert> _queue = Channel.CreateBounded<Alert>(new BoundedChannelOptions(Capacity)
    {
        // Enqueue uses TryWrite, which never waits: with Wait it says false when full (DropWrite would say true).
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    /// <summary>The JSON body of one delivery, as the dashboard shows alerts (camelCase, ISO times).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Queues an alert for delivery; false when no webhook is set or the queue is full.</summary>
    public bool Enqueue(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (options.Alerts.WebhookUrl is null)
        {
            return false;
        }

        if (_queue.Writer.TryWrite(alert))
        {
            return true;
        }

        AlertLog.WebhookDropped(logger, Capacity, alert.Rule, alert.State);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Alerts.WebhookUrl is not { } url)
        {
            return;
        }

        await foreach (var alert in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            await DeliverAsync(url, alert, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(Uri url, Alert alert, CancellationToken stoppingToken)
    {
        var client = clients.CreateClient(ClientName);
        var delay = FirstRetryDelay;
        var error = string.Empty;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                delay *= 2;
            }

            using var timeout = new CancellationTokenSource(AttemptTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
            try
            {
                using var response = await client.PostAsJsonAsync(url, alert, Json, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                error = $"status {(int)response.StatusCode}";
            }
            catch (Exception failure) when (!stoppingToken.IsCancellationRequested)
            {
                // Anything else a delivery throws must not stop the sender (or, through it, the gateway).
                error = failure switch
                {
                    HttpRequestException http => http.HttpRequestError.ToString(),
                    OperationCanceledException => "timeout",
                    _ => failure.GetType().Name,
                };
            }
        }

        AlertLog.WebhookFailed(logger, alert.Rule, alert.State, MaxAttempts, error);
    }
}
