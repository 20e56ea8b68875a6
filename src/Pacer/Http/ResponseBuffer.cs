namespace Pacer.Http;

/// <summary>Reads a response body into memory and puts an equivalent content (same bytes, same headers) back in its place.</summary>
internal static class ResponseBuffer
{
    /// <summary>Buffers the body unless it announces more than <paramref name="limit"/> bytes; null when it was left alone.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> PeekAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Content.Headers.ContentLength is { } length && length > limit)
        {
            return null;
        }

        return await BufferAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the whole body and replaces the content with a buffered copy carrying the same headers.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>> BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var original = response.Content;
        if (original is BufferedContent buffered)
        {
            return buffered.Bytes;
        }

        var bytes = await original.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var copy = new BufferedContent(bytes);
        foreach (var header in original.Headers)
        {
            // The length is computed from the bytes; every other content header is kept as the upstream sent it.
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        response.Content = copy;
        original.Dispose();
        return bytes;
    }

    /// <summary>Tells whether <paramref name="content"/> is a body this class buffered.</summary>
    public static bool IsBuffered(HttpContent content) => content is BufferedContent;

    /// <summary>Gives the bytes of a body this class buffered, so that a relay can write them at once.</summary>
    public static bool TryGetBuffered(HttpContent content, out ReadOnlyMemory<byte> bytes)
    {
        if (content is BufferedContent buffered)
        {
            bytes = buffered.Bytes;
            return true;
        }

        bytes = default;
        return false;
    }

    /// <summary>A body already in memory; marked so that it is never buffered twice.</summary>
    private sealed class BufferedContent(byte[] bytes) : ByteArrayContent(bytes)
    {
        public ReadOnlyMemory<byte> Bytes { get; } = bytes;
    }
}
