using System.Text.Json;
using Pacer.Gateway.Proxy;
using Pacer.Http;

namespace Pacer.Gateway.Admin;

/// <summary>Reads an admin request's JSON object body, refusing what is too large, not JSON, or not an object.</summary>
internal static class AdminJsonBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>Returns the parsed object, or the error to answer (400 or 413, with the seed's <c>success: false</c>).</summary>
    public static async Task<(JsonDocument? Document, AnthropicError? Error)> ReadAsync(HttpRequest request, string expected)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await BodyReader.ReadAsync(request, MaxBytes, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return (null, new AnthropicError(StatusCodes.Status413RequestEntityTooLarge, "request_too_large", $"Admin request bodies are limited to {MaxBytes} bytes.") { Admin = true });
        }

        if (body.Length == 0)
        {
            return (null, Invalid($"The body is empty; expected JSON: {expected}"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException error)
        {
            return (null, Invalid($"The body is not valid JSON ({error.Message}); expected {expected}"));
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Invalid($"The body must be a JSON object: {expected}"));
        }

        if (JsonText.Undecodable(body, document.RootElement) is { } undecodable)
        {
            document.Dispose();
            return (null, Invalid($"The body {undecodable}; expected {expected}"));
        }

        return (document, null);
    }

    /// <summary>Returns an error naming every property of <paramref name="root"/> outside <paramref name="allowed"/>, or null.</summary>
    public static AnthropicError? RefuseUnknown(JsonElement root, string expected, params string[] allowed)
    {
        var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !allowed.Contains(n, StringComparer.Ordinal)).ToList();
        return unknown.Count == 0
            ? null
            : Invalid($"Unknown field{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(n => $"'{n}'"))}; expected {expected}");
    }

    public static AnthropicError Invalid(string message) =>
        new(StatusCodes.Status400BadRequest, "invalid_request_error", message) { Admin = true };
}
