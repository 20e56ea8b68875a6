using Microsoft.Extensions.Logging;
using Pacer.Usage;

namespace Pacer.Anthropic;

/// <summary>How a <see cref="TrackedAnthropicClient"/> reaches the API and enforces budgets.</summary>
public sealed record TrackedAnthropicClientOptions
{
    /// <summary>Gets the API key; the SDK reads <c>ANTHROPIC_API_KEY</c> when null.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Gets the API's base address, for example a Pacer gateway or the simulator; the SDK's default when null.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>Gets the budgets to enforce before each call is sent; none when null.</summary>
    public BudgetGuard? Budgets { get; init; }

    /// <summary>Gets the calculator that estimates a call's most credits for its budget; the shipped prices when null.</summary>
    public CostCalculator? Calculator { get; init; }

    /// <summary>Gets where the engine's log lines go; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Gets what sends the attempts; a <see cref="SocketsHttpHandler"/> with decompression when null.</summary>
    public HttpMessageHandler? InnerHandler { get; init; }
}
