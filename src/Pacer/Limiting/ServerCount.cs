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
}
