using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Pacer.Simulator.Control;

namespace Pacer.Simulator.Api;

/// <summary>
/// The checks every API request passes before its endpoint sees it, in the real API's order: authentication
/// (<c>x-api-key</c> or <c>authorization: Bearer</c>), then <c>anthropic-version</c>, then the body's size and JSON.
/// Each returns false after answering with the error.
/// </summary>
internal static class RequestGate
{
    public static async Task<bool> AuthenticateAsync(ApiCall call)
    {
        var headers = call.Http.Request.Headers;
        var key = headers["x-api-key"].ToString();
        if (key.Length == 0 && headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = auth["Bearer ".Length..].Trim();
        }

        if (key.Length == 0)
        {
            await call.ErrorAsync(401, "authentication_error", "x-api-key header is required").ConfigureAwait(false);
            return false;
        }

        if (!call.State.Accepts(key))
        {
            await call.ErrorAsync(401, "authentication_error", "invalid x-api-key").ConfigureAwait(false);
            return false;
        }

        call.KeyId = KeyId.Of(key);
        return true;
    }

    public static async Task<bool> CheckVersionAsync(ApiCall call)
    {
        var version = call.Http.Request.Headers["anthropic-version"].ToString();
        if (version.Length == 0)
        {
            call.WriteLimitHeaders((string?)null);
            await call.ErrorAsync(400, "invalid_request_error", "anthropic-version: header is required").ConfigureAwait(false);
            return false;
        }

        if (!DateOnly.TryParseExact(version, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            call.WriteLimitHeaders((string?)null);
            await call.ErrorAsync(400, "invalid_request_error", $"anthropic-version: invalid version '{version}'").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    /// <summary>Reads the body as JSON, refusing bodies over the size limit (413) and malformed JSON (400).</summary>
    public static async Task<JsonDocument?> ReadJsonAsync(ApiCall call)
    {
        var limit = call.State.Options.MaxRequestBodyBytes;
        var request = call.Http.Request;
        if (request.ContentLength > limit)
        {
            await TooLargeAsync(call, limit).ConfigureAwait(false);
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, limit) + 1);
        while (true)
        {
            var result = await request.BodyReader.ReadAsync(call.Aborted).ConfigureAwait(false);
            foreach (var segment in result.Buffer)
            {
                buffer.Write(segment.Span);
            }

            request.BodyReader.AdvanceTo(result.Buffer.End);
            if (buffer.WrittenCount > limit)
            {
                await TooLargeAsync(call, limit).ConfigureAwait(false);
                return null;
            }

            if (result.IsCompleted)
            {
                break;
            }
        }

        try
        {
            return JsonDocument.Parse(buffer.WrittenMemory);
        }
        catch (JsonException e)
        {
            call.WriteLimitHeaders((string?)null);
            var detail = buffer.WrittenCount == 0 ? "the request body is empty" : e.Message;
            await call.ErrorAsync(400, "invalid_request_error", $"There was an error parsing the body of the request: {detail}").ConfigureAwait(false);
            return null;
        }
    }

    private static async Task TooLargeAsync(ApiCall call, long limit)
    {
        call.WriteLimitHeaders((string?)null);
        await call.ErrorAsync(413, "request_too_large", $"Request exceeds the maximum allowed number of bytes ({limit}).").ConfigureAwait(false);
    }
}
