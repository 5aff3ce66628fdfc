// Names of the eraser.sh API and of the objects users and docs rely on (SPEC §1).
export const group = "eraser.sh";
export const storageVersion = "v1";
export const servedVersions = ["v1", "v1alpha1"] as const;
export const apiVersion = `${group}/${storageVersion}`;

export const imageListKind = "ImageList";
export const imageListPlural = "imagelists";
export const imageJobKind = "ImageJob";
export const imageJobPlural = "imagejobs";

/** Eraser acts only on the ImageList of this name (AKS docs say so). */
export const imageListName = "imagelist";

export const managerConfigMapName = "eraser-manager-config";
export const managerConfigKey = "controller_manager_config.yaml";
export const defaultNamespace = "eraser-system";
export const imageJobServiceAccount = "eraser-imagejob-pods";
export const managerDeploymentName = "eraser-controller-manager";
