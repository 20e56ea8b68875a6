using Microsoft.Extensions.Configuration;
using Pacer.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Pacer to a named or typed <see cref="System.Net.Http.HttpClient"/> of the HTTP client factory.</summary>
public static class PacerHttpClientBuilderExtensions
{
    /// <summary>
    /// Puts a <see cref="PacerHandler"/> in the client's handler chain and turns off <see cref="System.Net.Http.HttpClient.Timeout"/>
    /// (Pacer bounds each attempt by <c>AttemptTimeout</c> and each wait by <c>MaxQueueWait</c>; the client's 100-second
    /// default would cut legitimate waits). Needs <see cref="PacerServiceCollectionExtensions.AddPacer(IServiceCollection, IConfiguration)"/>.
    /// </summary>
    public static IHttpClientBuilder AddPacer(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan);
        return builder.AddHttpMessageHandler(static sp => sp.GetService<PacerHandler>()
            ?? throw new InvalidOperationException("Pacer is not registered: call services.AddPacer(configuration) first, or use AddPacer(configuration) on the client builder."));
    }

    /// <summary>Registers the engine from <paramref name="configuration"/> (see <see cref="PacerServiceCollectionExtensions.AddPacer(IServiceCollection, IConfiguration)"/>) and adds it to this client.</summary>
    public static IHttpClientBuilder AddPacer(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPacer(configuration);
        return builder.AddPacer();
    }
}
