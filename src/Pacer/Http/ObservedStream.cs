namespace Pacer.Http;

/// <summary>
/// Passes a response body through unchanged, feeding its bytes to the request's SSE parser (if any) as they go, and tells
/// the request when the body ends: at its last byte, when it fails, or when it is disposed before the end.
/// </summary>
internal sealed class ObservedStream(Stream inner, RequestCompletion completion) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (Exception exception)
        {
            completion.BodyEnded(BodyEnd.Failed, exception);
            throw;
        }

        return Passed(buffer.Length, buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            completion.BodyEnded(BodyEnd.Failed, exception);
            throw;
        }

        return Passed(buffer.Length, buffer.Span[..read]);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            completion.BodyEnded(BodyEnd.Disposed, null);
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        completion.BodyEnded(BodyEnd.Disposed, null);
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Passed(int asked, ReadOnlySpan<byte> bytes)
    {
        // A zero-byte read of a zero-length buffer only waits for data; it is not the end of the body.
        if (bytes.IsEmpty && asked > 0)
        {
            completion.BodyEnded(BodyEnd.Completed, null);
        }
        else if (!bytes.IsEmpty)
        {
            completion.Parser?.Feed(bytes);
        }

        return bytes.Length;
    }
}

/// <summary>How a response body ended.</summary>
internal enum BodyEnd
{
    /// <summary>Its last byte was read.</summary>
    Completed,

    /// <summary>It was disposed before its end.</summary>
    Disposed,

    /// <summary>Reading it failed (the connection was cut, say).</summary>
    Failed,
}
