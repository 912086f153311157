public enum ParcServerPlaceholder {}
