using Microsoft.Extensions.Configuration;

namespace Pacer.Configuration;

/// <summary>Reads a <c>.env</c> file: <c>KEY=VALUE</c> lines, <c># comments</c> (also after an unquoted value), quotes, <c>export</c>.</summary>
internal sealed class DotEnvConfigurationSource(string path, bool optional) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new DotEnvConfigurationProvider(path, optional);
}

internal sealed class DotEnvConfigurationProvider(string path, bool optional) : ConfigurationProvider
{
    public override void Load()
    {
        if (!File.Exists(path))
        {
            if (!optional)
            {
                throw new FileNotFoundException($"The .env file '{path}' was not found.", path);
            }

            return;
        }

        Data = DotEnvParser.Parse(File.ReadAllLines(path), path);
    }
}

/// <summary>Adds <c>.env</c> files to configuration.</summary>
public static class DotEnvConfigurationExtensions
{
    /// <summary>Adds the <c>.env</c> file at <paramref name="path"/>; its keys become top-level configuration keys.</summary>
    public static IConfigurationBuilder AddDotEnvFile(this IConfigurationBuilder builder, string path, bool optional = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new DotEnvConfigurationSource(path, optional));
    }
}
