namespace Pacer.Goodput.Workloads;

/// <summary>
/// Tags every attempt with the workload request it belongs to (a header the simulator logs and the gateway forwards),
/// so that the simulator's attempt log tells how many distinct requests met a 429. The tag flows with the call.
/// </summary>
internal sealed class RequestTag : DelegatingHandler
{
    public const string HeaderName = "x-bench-request";

    private static readonly AsyncLocal<string?> Current = new();

    public RequestTag()
    {
    }

    public RequestTag(HttpMessageHandler inner)
        : base(inner)
    {
    }

    /// <summary>Sets the tag for the calls made from here on in this async flow.</summary>
    public static void Set(string tag) => Current.Value = tag;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Current.Value is { } tag && !request.Headers.Contains(HeaderName))
        {
            request.Headers.TryAddWithoutValidation(HeaderName, tag);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
