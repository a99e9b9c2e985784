using System.Text;
using System.Xml;
using k8s.Models;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// The field and type descriptions of the <c>k8s.Models</c> types, read from the XML
/// documentation the KubernetesClient package ships (copied next to the assembly by the server's
/// project file). Its summaries are kube's OpenAPI descriptions wrapped at 80 columns; they are
/// unwrapped here. Read when a description is first asked for (the file is 25 MB; only the model
/// members are kept), and kept until <see cref="Release"/>.
/// </summary>
internal static class ModelDocs
{
    private const string ModelPrefix = "k8s.Models.";

    private static volatile Lazy<Dictionary<string, string>> _summaries = new(Load);

    private static Dictionary<string, string> Summaries => _summaries.Value;

    /// <summary>Drops the descriptions read so far (some megabytes of strings): the OpenAPI documents, once built, hold what they need.</summary>
    public static void Release() => _summaries = new Lazy<Dictionary<string, string>>(Load);

    /// <summary>The description of a model type, or null.</summary>
    public static string? OfType(Type type) => Summaries.GetValueOrDefault("T:" + type.FullName);

    /// <summary>The description of a model property (by its C# name), or null.</summary>
    public static string? OfProperty(Type type, string property) => Summaries.GetValueOrDefault("P:" + type.FullName + "." + property);

    private static Dictionary<string, string> Load()
    {
        var summaries = new Dictionary<string, string>(StringComparer.Ordinal);
        var assembly = typeof(V1Pod).Assembly.Location;
        var path = assembly.Length > 0 ? Path.ChangeExtension(assembly, ".xml") : Path.Combine(AppContext.BaseDirectory, "KubernetesClient.xml");
        if (!File.Exists(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, "KubernetesClient.xml");
            if (!File.Exists(path))
            {
                return summaries;
            }
        }

        using var reader = XmlReader.Create(path, new XmlReaderSettings { IgnoreComments = true, IgnoreWhitespace = true, DtdProcessing = DtdProcessing.Ignore });
        while (reader.ReadToFollowing("member"))
        {
            var name = reader.GetAttribute("name");
            if (name is null || name.Length < 2 || string.CompareOrdinal(name, 2, ModelPrefix, 0, ModelPrefix.Length) != 0 || name[0] is not ('T' or 'P'))
            {
                continue;
            }

            using var member = reader.ReadSubtree();
            if (member.ReadToFollowing("summary"))
            {
                summaries[name] = Unwrap(member.ReadElementContentAsString());
            }
        }

        return summaries;
    }

    private static string Unwrap(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(' ');
            }

            result.Append(trimmed);
        }

        return result.ToString();
    }
}
