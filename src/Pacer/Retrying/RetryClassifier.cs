using System.Net;
using System.Text.Json;
using Pacer.Http;
using Pacer.Limiting;

namespace Pacer.Retrying;

/// <summary>
/// Decides whether an attempt's outcome is worth another attempt, following the official SDKs' policy:
/// a success is final; otherwise <c>x-should-retry</c> decides, then the spend-cap 429, then the status; connection failures and attempt timeouts are retried.
/// </summary>
internal static class RetryClassifier
{
    /// <summary>The header by which the upstream overrides the status rule.</summary>
    public const string ShouldRetryHeader = "x-should-retry";

    /// <summary>The <c>error.details.error_code</c> of a 429 sent when the organization's monthly spend cap is reached.</summary>
    public const string SpendLimitErrorCode = "enforced_spend_limit_reached";

    // Bodies larger than this are not peeked at; a spend-cap 429 body is a few hundred bytes.
    private const long PeekLimit = 64 * 1024;

    /// <summary>Classifies a response. For a 429 it peeks at the body, leaving an equivalent buffered body in place.</summary>
    public static async ValueTask<RetryDecision> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var header = ShouldRetryHeaderValue(response);
        var spendLimit = false;
        if (header is null && response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            try
            {
                var body = await ResponseBuffer.PeekAsync(response, PeekLimit, cancellationToken).ConfigureAwait(false);
                spendLimit = body is { } bytes && IsSpendLimitReached(bytes.Span);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
            {
                // A body that cannot be read says nothing about the spend cap; the status decides (and cancellation stops the loop).
                spendLimit = false;
            }
        }

        return Classify((int)response.StatusCode, header, spendLimit);
    }

    /// <summary>Classifies a status with the upstream's <c>x-should-retry</c> value and whether the body names the spend cap.</summary>
    public static RetryDecision Classify(int statusCode, bool? shouldRetryHeader, bool spendLimitReached)
    {
        // As in the SDKs, a success is never retried; x-should-retry overrides the status rule for everything else.
        if (statusCode is >= 200 and < 300)
        {
            return RetryDecision.Final(RetryReason.Success);
        }

        if (shouldRetryHeader is true)
        {
            return RetryDecision.Retry(RetryReason.ShouldRetryHeaderTrue);
        }

        if (shouldRetryHeader is false)
        {
            return RetryDecision.Final(RetryReason.ShouldRetryHeaderFalse);
        }

        if (statusCode == 429 && spendLimitReached)
        {
            return RetryDecision.Final(RetryReason.SpendLimitReached);
        }

        // 408 request timeout, 409 conflict (lock contention), 429 rate limit, every 5xx (529 overloaded included).
        return statusCode is 408 or 409 or 429 or >= 500
            ? RetryDecision.Retry(RetryReason.RetryableStatus)
            : RetryDecision.Final(RetryReason.FinalStatus);
    }

    /// <summary>Classifies an attempt that ended without a response.</summary>
    public static RetryDecision Classify(Exception exception) => exception switch
    {
        AttemptTimeoutException => RetryDecision.Retry(RetryReason.AttemptTimeout),
        PacerDeadlineExceededException => RetryDecision.Final(RetryReason.DeadlineReached),
        PacerRejectedException => RetryDecision.Final(RetryReason.Rejected),
        OperationCanceledException => RetryDecision.Final(RetryReason.Canceled),

        // A response-less HttpRequestException is a connection failure (DNS, refused, reset, TLS, cut body upload).
        HttpRequestException { StatusCode: null } => RetryDecision.Retry(RetryReason.ConnectionFailure),
        IOException => RetryDecision.Retry(RetryReason.ConnectionFailure),
        _ => RetryDecision.Final(RetryReason.OtherException),
    };

    /// <summary>Reads <c>x-should-retry</c>: true, false, or null when absent or neither.</summary>
    public static bool? ShouldRetryHeaderValue(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Headers.TryGetValues(ShouldRetryHeader, out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            if (bool.TryParse(value.Trim(), out var flag))
            {
                return flag;
            }
        }

        return null;
    }

    /// <summary>Tells whether an error body carries <c>error.details.error_code = "enforced_spend_limit_reached"</c>.</summary>
    public static bool IsSpendLimitReached(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return JsonPaths.TryReadString(ref reader, ["error", "details", "error_code"], out var code)
                && string.Equals(code, SpendLimitErrorCode, StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            // A 429 from a proxy or CDN may not be JSON at all.
            return false;
        }
    }
}
