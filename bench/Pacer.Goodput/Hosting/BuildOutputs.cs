using System.Reflection;

namespace Pacer.Goodput.Hosting;

/// <summary>Where the gateway's and the simulator's programs were built, next to this harness in the same repository and configuration.</summary>
internal static class BuildOutputs
{
    public static string Gateway => Find("src/Pacer.Gateway", "Pacer.Gateway.dll");

    public static string Simulator => Find("src/Pacer.Simulator", "Pacer.Simulator.dll");

    /// <summary>This harness, to start its own forwarder in a process of its own.</summary>
    public static string Harness => typeof(BuildOutputs).Assembly.Location;

    private static string Find(string project, string assembly)
    {
        var configuration = typeof(BuildOutputs).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Pacer.slnx")))
            {
                var path = Path.Combine(folder.FullName, project, "bin", configuration, "net10.0", assembly);
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException($"{assembly} is not built; build the solution in {configuration} first.", path);
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository (Pacer.slnx) above " + AppContext.BaseDirectory);
    }
}
