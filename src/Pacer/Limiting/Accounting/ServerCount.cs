namespace Pacer.Limiting;

/// <summary>What the server's rate-limit headers are known to include of one admitted request.</summary>
public enum ServerCount
{
    /// <summary>Nothing yet: no response to it, or to a request sent after it, has come.</summary>
    None = 0,

    /// <summary>Its request and its input tokens (charged on arrival); its output only as the server counts it, as produced.</summary>
    RequestAndInput = 1,

    /// <summary>Its output reservation too: the upstream reserves <c>max_tokens</c> on arrival (learned by <c>OutputReservation</c> <c>auto</c>).</summary>
    Everything = 2,

    /// <summary>
    /// Its request, its input and its real output, counted as produced: the headers of its own answer were written once
    /// the answer was complete (a non-streaming Messages answer), so its completion leaves the output budget as the
    /// server reported it. Reached only from <see cref="RequestAndInput"/>, for the answered request itself.
    /// </summary>
    Produced = 3,
}
