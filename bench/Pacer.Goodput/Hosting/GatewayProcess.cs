namespace Pacer.Goodput.Hosting;

/// <summary>Starts Pacer's gateway as users run it, in a process of its own, in passthrough mode in front of <c>upstream</c>.</summary>
internal static class GatewayProcess
{
    /// <summary>Starts the gateway with the given engine settings (environment-variable names, for example <c>ANTHROPIC_RATE_LIMIT_PER_MINUTE</c>).</summary>
    public static async Task<ChildProcess> StartAsync(Uri upstream, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(settings);
        var environment = new Dictionary<string, string>(settings)
        {
            ["ANTHROPIC_BASE_URL"] = upstream.ToString().TrimEnd('/'),
            ["PACER_DB_PATH"] = "pacer.db",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        return await ChildProcess.StartAsync(BuildOutputs.Gateway, ["--urls=http://127.0.0.1:0"], environment);
    }
}
