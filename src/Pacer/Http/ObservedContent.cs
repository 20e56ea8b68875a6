using System.Net;

namespace Pacer.Http;

/// <summary>
/// The content handed to the caller when the body is not buffered: the upstream's content and headers, unchanged,
/// read through an <see cref="ObservedStream"/> so that the request's permit is held until the body ends or is disposed.
/// </summary>
internal sealed class ObservedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly RequestCompletion _completion;

    public ObservedContent(HttpContent inner, RequestCompletion completion)
    {
        _inner = inner;
        _completion = completion;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var source = CreateContentReadStream(cancellationToken);
        source.CopyTo(stream);
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new ObservedStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _completion);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new ObservedStream(_inner.ReadAsStream(cancellationToken), _completion);

    protected override bool TryComputeLength(out long length)
    {
        // The upstream's Content-Length header, when it sent one, was copied; otherwise the length is unknown.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _completion.BodyEnded(BodyEnd.Disposed, null);
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
