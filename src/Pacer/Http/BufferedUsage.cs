using Pacer.Limiting;

namespace Pacer.Http;

/// <summary>
/// The usage <see cref="PacerHandler"/> read from a Messages answer it buffered, left on the request's options so that
/// a layer above which reports it too (the gateway's relay) does not parse the same bytes again.
/// </summary>
/// <param name="Usage">The usage the answer reported, or null when it reported none.</param>
internal sealed record BufferedUsage(TokenUsage? Usage)
{
    /// <summary>The request option that carries it.</summary>
    public static readonly HttpRequestOptionsKey<BufferedUsage> Key = new("Pacer.BufferedUsage");

    /// <summary>Gets what the handler read from <paramref name="response"/>'s buffered body, or null when it did not read it.</summary>
    public static BufferedUsage? Of(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.RequestMessage is { } request && request.Options.TryGetValue(Key, out var read) ? read : null;
    }
}
