namespace Pacer.Gateway.Proxy;

/// <summary>Reads a request body into memory up to a limit, refusing early when <c>Content-Length</c> already says it is too large.</summary>
internal static class BodyReader
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>Returns the body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } declared)
        {
            return declared > maxBytes ? null : await ReadDeclaredAsync(request.Body, (int)declared, cancellationToken).ConfigureAwait(false);
        }

        using var buffer = new MemoryStream(4096);
        var chunk = new byte[ChunkSize];
        while (true)
        {
            var read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }

    // The server holds the body to its Content-Length, so it is read straight into an array of that size, without a copy.
    private static async Task<byte[]> ReadDeclaredAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        var filled = await body.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return filled == length ? bytes : bytes[..filled];
    }
}
