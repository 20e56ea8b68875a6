using Pacer.Limiting;

namespace Pacer.Http;

/// <summary>
/// A request body that a layer in front of the <see cref="PacerHandler"/> (the gateway, a tracked call) has already
/// read and examined: its bytes, its facts and, for a Messages request, its input estimate. Attached to the request's
/// options, it spares the handler a second copy of the body, a second parse and a second estimate. It holds only for
/// the content it was made from: a handler in between that replaces the content makes the handler read it afresh.
/// </summary>
internal sealed class PreparedBody
{
    /// <summary>The request option that carries it.</summary>
    public static readonly HttpRequestOptionsKey<PreparedBody> Key = new("Pacer.PreparedBody");

    private readonly HttpContent _content;

    private PreparedBody(HttpContent content, byte[] bytes, RequestFacts facts, InputEstimate? estimate)
    {
        _content = content;
        Bytes = bytes;
        Facts = facts;
        Estimate = estimate;
    }

    /// <summary>Gets the body's bytes; nobody writes to them.</summary>
    public byte[] Bytes { get; }

    /// <summary>Gets what <see cref="RequestFacts.Read"/> found in <see cref="Bytes"/>.</summary>
    public RequestFacts Facts { get; }

    /// <summary>Gets the input estimate of <see cref="Bytes"/> for <see cref="RequestFacts.Model"/>, when one was made.</summary>
    public InputEstimate? Estimate { get; }

    /// <summary>
    /// Records on <paramref name="request"/> that its content (already set, carrying exactly <paramref name="bytes"/>)
    /// has these facts and this estimate.
    /// </summary>
    public static void Attach(HttpRequestMessage request, byte[] bytes, RequestFacts facts, InputEstimate? estimate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(bytes);
        if (request.Content is { } content)
        {
            request.Options.Set(Key, new PreparedBody(content, bytes, facts, estimate));
        }
    }

    /// <summary>Gets the prepared body of <paramref name="request"/>, or null when none was attached or its content has since been replaced.</summary>
    public static PreparedBody? Of(HttpRequestMessage request) =>
        request.Options.TryGetValue(Key, out var prepared) && ReferenceEquals(prepared._content, request.Content) ? prepared : null;
}
