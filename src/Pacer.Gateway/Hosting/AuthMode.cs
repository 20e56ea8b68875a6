namespace Pacer.Gateway.Hosting;

/// <summary>How callers of <c>/v1/*</c> authenticate.</summary>
internal enum AuthMode
{
    /// <summary>The caller's own Anthropic key is forwarded upstream; limits are kept per key.</summary>
    Passthrough,

    /// <summary>Callers present keys issued by the admin API; the gateway calls upstream with its own key.</summary>
    Managed,
}
