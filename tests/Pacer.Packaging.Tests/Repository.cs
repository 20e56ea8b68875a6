using System.Xml.Linq;

namespace Pacer.Packaging.Tests;

/// <summary>The repository these tests build from: its root, its version and the versions it pins.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The version every package carries, from eng/Version.props.</summary>
    public static string VersionPrefix { get; } =
        XDocument.Load(Path.Combine(Root, "eng", "Version.props")).Descendants("VersionPrefix").Single().Value;

    /// <summary>Whether the tree is a git work tree, so that SourceLink has a commit to point at.</summary>
    public static bool IsGitWorkTree => Path.Exists(Path.Combine(Root, ".git"));

    public static string PinnedVersion(string package) =>
        XDocument.Load(Path.Combine(Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == package)
            .Attribute("Version")!.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pacer.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Pacer.slnx above {AppContext.BaseDirectory}.");
    }
}
